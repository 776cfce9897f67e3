cidr      = "10.1.0.0/16"
api_token = "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"
