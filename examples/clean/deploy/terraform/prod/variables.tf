variable "region" {
  description = "AWS region the shop runs in"
  type        = string
}
