# Production, as first written: local state, unpinned provider and module, a password in the file.
provider "aws" {
  region = "eu-west-1"
}

resource "aws_db_instance" "orders" {
  engine   = "postgres"
  username = "shop"
  password = "bR6tY2mQ8wXk4Pz9Lv3n"
  tags = {
    environment = "prod"
    team        = "platform"
  }
}

module "network" {
  source = "terraform-aws-modules/vpc/aws"
  cidr   = var.cidr
}

variable "cidr" {}
