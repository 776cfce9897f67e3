terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

resource "aws_s3_bucket" "this" {
  bucket = "acme-shop-assets"
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Statement = [{
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Effect    = "Allow"
      Action    = "s3:GetObject"
    }]
  })
}

resource "aws_s3_bucket_versioning" "this" {
  bucket                = aws_s3_bucket.this.id
  expected_bucket_owner = "123456789012"
  versioning_configuration {
    status = "Enabled"
  }
}
