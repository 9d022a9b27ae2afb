# The resilience-audit read-only role in one account, with an external id.
# The policy is the generated file one level up (examples/iam/resilience-readonly-policy.json), read at
# plan time, so this module never drifts from the collectors' declared permissions.

terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "scanner_principal_arn" {
  description = "The role or user that runs `resilience scan` (management or delegated-administrator account)."
  type        = string
}

variable "external_id" {
  description = "Passed to `resilience scan --external-id`; the role cannot be assumed without it."
  type        = string
  sensitive   = true
}

variable "role_name" {
  description = "Passed to `resilience scan --role-name` when not the default. Never OrganizationAccountAccessRole."
  type        = string
  default     = "ResilienceAuditReadOnly"
  validation {
    condition     = var.role_name != "OrganizationAccountAccessRole"
    error_message = "Use a dedicated read-only role, not the organisation's admin role."
  }
}

variable "policy_file" {
  description = "The generated read-only policy."
  type        = string
  default     = null
}

locals {
  policy = file(coalesce(var.policy_file, "${path.module}/../../resilience-readonly-policy.json"))
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.scanner_principal_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

resource "aws_iam_role" "resilience_audit" {
  name                 = var.role_name
  description          = "Read-only role assumed by resilience-audit organisation scans"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "read_only" {
  name   = "resilience-audit-read-only"
  role   = aws_iam_role.resilience_audit.id
  policy = local.policy
}

output "role_arn" {
  value = aws_iam_role.resilience_audit.arn
}
