# Every account of the given organisational units gets the read-only role, through a service-managed
# CloudFormation StackSet (new accounts joining the OUs get it automatically). Apply in the management
# account (or a delegated administrator for CloudFormation StackSets). The template is the generated
# examples/iam/resilience-readonly-role.cfn.json; the scanner's own permissions are in
# examples/iam/resilience-org-scanner-policy.json.

terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 6.0" } # stack_set_instance_region (v6)
  }
}

variable "scanner_principal_arn" {
  description = "The role or user that runs `resilience scan --all-accounts`."
  type        = string
}

variable "external_id" {
  description = "Passed to `resilience scan --external-id`."
  type        = string
  sensitive   = true
}

variable "organizational_unit_ids" {
  description = "OUs (or the root r-xxxx) to deploy to; child OUs are included."
  type        = list(string)
}

variable "regions" {
  description = "IAM is global: one region is enough for the stack instances."
  type        = list(string)
  default     = ["us-east-1"]
}

resource "aws_cloudformation_stack_set" "resilience_audit_role" {
  name             = "resilience-audit-readonly-role"
  description      = "resilience-audit read-only role in every member account"
  permission_model = "SERVICE_MANAGED"
  capabilities     = ["CAPABILITY_NAMED_IAM"]
  template_body    = file("${path.module}/../../resilience-readonly-role.cfn.json")
  parameters = {
    ScannerPrincipalArn = var.scanner_principal_arn
    ExternalId          = var.external_id
  }
  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }
  operation_preferences {
    max_concurrent_percentage = 25
    failure_tolerance_count   = 0
  }
  lifecycle {
    ignore_changes = [administration_role_arn]
  }
}

resource "aws_cloudformation_stack_set_instance" "ous" {
  stack_set_name            = aws_cloudformation_stack_set.resilience_audit_role.name
  for_each                  = toset(var.regions)
  stack_set_instance_region = each.value
  deployment_targets {
    organizational_unit_ids = var.organizational_unit_ids
  }
}

output "stack_set_id" {
  value = aws_cloudformation_stack_set.resilience_audit_role.id
}
