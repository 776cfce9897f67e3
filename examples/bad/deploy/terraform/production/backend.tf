terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.40" }
  }

  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "shop.tfstate"
    region = "eu-west-1"
  }
}
