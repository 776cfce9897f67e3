terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }

  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "shop/prod.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "terraform-locks"
    encrypt        = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      environment = "prod"
      service     = "shop"
      team        = "platform"
      cost-center = "cc-1042"
    }
  }
}

module "assets" {
  source = "../modules/bucket"
  name   = "acme-shop-assets-prod"
}
