# Object IDs of the emergency-access (break-glass) accounts every policy
# excludes, so a mistake can never lock all administrators out.
locals {
  break_glass = ["6f0c2b9e-3d8a-4c1f-9e2b-7a5d4c3b2a10"]
}

# CIS 5.2.2.1/5.2.2.2, ScubaGear MS.AAD.3.1: MFA for all users.
# Start in report-only mode, check the sign-in logs, then set "enabled".
resource "m365harden_conditional_access_policy" "mfa_all_users" {
  display_name = "Require MFA for all users"
  state        = "enabledForReportingButNotEnforced"
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = local.break_glass
    }
    applications = {
      include_applications = ["All"]
    }
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["mfa"]
  }
}

# CIS 5.2.2.3, ScubaGear MS.AAD.1.1: block legacy authentication.
resource "m365harden_conditional_access_policy" "block_legacy_auth" {
  display_name = "Block legacy authentication"
  state        = "enabled"
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = local.break_glass
    }
    applications = {
      include_applications = ["All"]
    }
    client_app_types = ["exchangeActiveSync", "other"]
  }
  grant_controls = {
    operator          = "OR"
    built_in_controls = ["block"]
  }
}

# CIS 5.2.2.6, ScubaGear MS.AAD.2.1 (Entra ID P2): high user risk requires a
# secure password change. Graph requires passwordChange together with mfa
# under AND, in a policy with user_risk_levels.
resource "m365harden_conditional_access_policy" "user_risk" {
  display_name = "High user risk: MFA and password change"
  state        = "enabled"
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = local.break_glass
    }
    applications = {
      include_applications = ["All"]
    }
    user_risk_levels = ["high"]
  }
  grant_controls = {
    operator          = "AND"
    built_in_controls = ["mfa", "passwordChange"]
  }
}

# CIS 5.2.2.7, ScubaGear MS.AAD.2.3 (Entra ID P2): risky sign-ins need
# phishing-resistant MFA (a built-in authentication strength).
resource "m365harden_conditional_access_policy" "sign_in_risk" {
  display_name = "Medium or high sign-in risk: phishing-resistant MFA"
  state        = "enabled"
  conditions = {
    users = {
      include_users = ["All"]
      exclude_users = local.break_glass
    }
    applications = {
      include_applications = ["All"]
    }
    sign_in_risk_levels = ["high", "medium"]
  }
  grant_controls = {
    operator                   = "OR"
    authentication_strength_id = "00000000-0000-0000-0000-000000000004"
  }
}

# CIS 5.2.2.4: administrators sign in again every 4 hours and their browser
# sessions do not persist.
resource "m365harden_conditional_access_policy" "admin_sessions" {
  display_name = "Admins: sign-in frequency 4 hours, no persistent browser"
  state        = "enabled"
  conditions = {
    users = {
      include_roles = ["62e90394-69f5-4237-9190-012177145e10"] # Global Administrator
      exclude_users = local.break_glass
    }
    applications = {
      include_applications = ["All"]
    }
  }
  session_controls = {
    sign_in_frequency = {
      value = 4
      type  = "hours"
    }
    persistent_browser = {
      mode = "never"
    }
  }
}
