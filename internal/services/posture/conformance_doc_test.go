package posture

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The conformance guide (templates/guides/conformance.md.tmpl, rendered to
// docs/guides/conformance.md by `make generate`) is generated from the
// catalogue, the shipped baselines and the lists below:
// TestConformanceGuide fails when the committed page differs, and
// UPDATE_CONFORMANCE=1 rewrites it. Every baseline block named here must
// exist in its baseline's HCL.

const conformancePath = "../../../templates/guides/conformance.md.tmpl"

// baselineBlocks: the blocks of examples/baselines/<name>/main.tf that set
// each cited ID.
var baselineBlocks = map[string][]string{
	"CIS 3.1.1":                    {"cis: m365harden_audit_configuration.this"},
	"CIS 6.1.1":                    {"cis: m365harden_audit_configuration.this"},
	"CIS 6.1.2":                    {"cis: m365harden_mailbox_audit_baseline.users"},
	"CIS 6.2.1":                    {"cis: m365harden_outbound_spam_filter_policy.default", "cis: m365harden_transport_rule.block_external_auto_forward"},
	"CIS 2.1.6":                    {"cis: m365harden_outbound_spam_filter_policy.default"},
	"CIS 5.2.2.1":                  {"cis: m365harden_conditional_access_policy.mfa_all_users"},
	"CIS 5.2.2.2":                  {"cis: m365harden_conditional_access_policy.mfa_all_users"},
	"CIS 5.2.2.3":                  {"cis: m365harden_conditional_access_policy.block_legacy_auth"},
	"CIS 5.2.2.6":                  {"cis: m365harden_conditional_access_policy.user_risk"},
	"CIS 5.2.2.7":                  {"cis: m365harden_conditional_access_policy.sign_in_risk"},
	"Scuba MS.EXO.1.1v2":           {"scuba: m365harden_remote_domain.default"},
	"Scuba MS.EXO.13.1v1":          {"scuba: m365harden_audit_configuration.this"},
	"Scuba MS.SECURITYSUITE.5.1v1": {"scuba: m365harden_audit_configuration.this"},
	"Scuba MS.SECURITYSUITE.5.2v1": {"scuba: m365harden_audit_log_retention_policy.one_year"},
	"Scuba MS.AAD.1.1v1":           {"scuba: m365harden_conditional_access_policy.block_legacy_auth"},
	"Scuba MS.AAD.2.1v1":           {"scuba: m365harden_conditional_access_policy.block_high_risk_users"},
	"Scuba MS.AAD.2.3v1":           {"scuba: m365harden_conditional_access_policy.block_high_risk_sign_ins"},
	"Scuba MS.AAD.3.1v1":           {"scuba: m365harden_conditional_access_policy.phishing_resistant_mfa"},
	"Scuba MS.AAD.3.2v2":           {"scuba: m365harden_conditional_access_policy.phishing_resistant_mfa"},
	// Mail security, threat protection and identity policies.
	"CIS 2.1.2":               {"cis: m365harden_malware_filter_policy.default"},
	"CIS 2.1.3":               {"cis: m365harden_malware_filter_policy.default"},
	"CIS 2.1.7":               {"cis: m365harden_anti_phish_policy.default"},
	"CIS 2.1.1":               {"cis: m365harden_safe_links_policy.cis", "cis: m365harden_safe_links_rule.cis"},
	"CIS 2.1.4":               {"cis: m365harden_safe_attachment_policy.cis", "cis: m365harden_safe_attachment_rule.cis"},
	"Scuba MS.DEFENDER.1.1v1": {"scuba: m365harden_preset_security_policy.standard", "scuba: m365harden_preset_security_policy.strict"},
	"Scuba MS.DEFENDER.1.2v1": {"scuba: m365harden_preset_security_policy.standard"},
	"Scuba MS.DEFENDER.1.3v1": {"scuba: m365harden_preset_security_policy.standard"},
	"Scuba MS.DEFENDER.1.4v1": {"scuba: m365harden_preset_security_policy.strict"},
	"Scuba MS.DEFENDER.1.5v1": {"scuba: m365harden_preset_security_policy.strict"},
	"CIS 2.1.9":               {"cis: m365harden_dkim_signing_config.this"},
	"CIS 6.2.3":               {"cis: m365harden_external_sender_tagging.this"},
	"CIS 5.1.2.2":             {"cis: m365harden_authorization_policy.this", "scuba: m365harden_authorization_policy.this"},
	"CIS 5.1.5.2":             {"cis: m365harden_admin_consent_request_policy.this"},
	"Scuba MS.EXO.3.1v1":      {"scuba: m365harden_dkim_signing_config.this"},
	"Scuba MS.EXO.5.1v1":      {"scuba: m365harden_transport_config.this"},
	"Scuba MS.EXO.6.1v1":      {"scuba: m365harden_sharing_policy.default"},
	"Scuba MS.EXO.6.2v1":      {"scuba: m365harden_sharing_policy.default"},
	"Scuba MS.EXO.7.1v1":      {"scuba: m365harden_external_sender_tagging.this"},
	"Scuba MS.AAD.5.1v1":      {"scuba: m365harden_authorization_policy.this"},
	"Scuba MS.AAD.5.2v1":      {"scuba: m365harden_authorization_policy.this"},
	"Scuba MS.AAD.5.3v1":      {"scuba: m365harden_admin_consent_request_policy.this"},
	"Scuba MS.AAD.8.1v1":      {"scuba: m365harden_authorization_policy.this"},
	"Scuba MS.AAD.8.2v1":      {"scuba: m365harden_authorization_policy.this"},
	"Scuba MS.AAD.3.3v2":      {"scuba: m365harden_authentication_method_configuration.authenticator"},
	"Scuba MS.AAD.3.4v1":      {"scuba: m365harden_authentication_methods_policy.this"},
	"Scuba MS.AAD.3.5v2":      {"scuba: m365harden_authentication_method_configuration.sms", "scuba: m365harden_authentication_method_configuration.voice", "scuba: m365harden_authentication_method_configuration.email"},
	"CIS 5.2.3.1":             {"cis: m365harden_authentication_method_configuration.authenticator"},
	"CIS 5.2.3.6":             {"cis: m365harden_authentication_methods_policy.this"},
	"CIS 5.2.3.5":             {"cis: m365harden_authentication_method_configuration.sms", "cis: m365harden_authentication_method_configuration.voice", "cis: m365harden_authentication_method_configuration.email"},
	"CIS 5.2.2.4":             {"cis: m365harden_conditional_access_policy.admin_sessions"},
	"CIS 5.1.5.1":             {"cis: m365harden_authorization_policy.this"},
	"CIS 5.1.2.3":             {"cis: m365harden_authorization_policy.this"},
	"CIS 5.1.6.3":             {"cis: m365harden_authorization_policy.this"},
	"Scuba MS.AAD.3.6v1":      {"scuba: m365harden_conditional_access_policy.phishing_resistant_mfa"},

	// Anti-malware (controls_malware.go).
	"Scuba MS.SECURITYSUITE.1.1v1": {"scuba: m365harden_malware_filter_policy.default"},
	"Scuba MS.SECURITYSUITE.1.2v1": {"scuba: m365harden_malware_filter_policy.default"},
}

// noBlock says why a cited ID that a control checks has no baseline block.
var noBlock = map[string]string{
	"Scuba MS.AAD.3.7v1":           "A SHOULD, and requiring compliant or hybrid joined devices locks out every user on an unmanaged device: write it with `m365harden_conditional_access_policy` (`built_in_controls = [\"compliantDevice\", \"domainJoinedDevice\"]`, `operator = \"OR\"`) once devices are enrolled; posture checks it.",
	"CIS 6.1.3":                    "The E5 action lists (adds MailItemsAccessed and Send, which need Audit (Premium)): add them to `required_audit_*` of the mailbox audit baseline on E5 tenants and set `mailbox_audit_actions = \"E5\"`.",
	"CIS 6.1.4":                    "Bypass is per account (`m365harden_mailbox_audit_bypass`); a baseline cannot list every account. Off by default; posture names the accounts that bypass.",
	"CIS 6.2.2":                    "A baseline cannot know which existing transport rules to remove; posture names the rules that whitelist sender domains.",
	"CIS 6.4.1":                    "Forwarding set by users (mailbox settings, inbox rules) is data, not configuration: posture reports it with evidence (`scan_inbox_rules` for inbox rules).",
	"CIS 5.2.6.1":                  "A manual weekly review; posture checks the part a query can answer (users at risk).",
	"Scuba MS.SECURITYSUITE.4.1v1": "Built-in alert policies are Microsoft's and on by default; the provider reads them (`m365harden_alert_policies`) but refuses to manage them. Posture checks they are on and notify someone.",
	"Scuba MS.SECURITYSUITE.4.2v1": "A SHOULD; the recipients of the built-in alerts are set in the portal. Posture checks every required alert notifies at least one recipient.",
	"Scuba MS.SECURITYSUITE.1.3v1": "Every tenant with Defender for Office 365 has the Built-In Protection Policy, which blocks malware and can't be changed; what can fail is a custom Safe Attachments policy that lets malware through, and a baseline cannot know which existing policies to fix. Posture names them.",
	"CIS 1.3.3":                    "Level 2 (the CIS baseline is level 1), and stricter than ScubaGear MS.EXO.6.2v1: no calendar sharing with any external domain. Set `m365harden_sharing_policy` with `enabled = false` (CIS's remediation) or without calendar entries; the ScubaGear baseline's sharing policy still allows named partner domains.",
}

// notAutomatable lists the ScubaGear SHALL policies of the four baselines
// that no control checks, with the reason.
var notAutomatable = []struct{ id, reason string }{
	{"Scuba MS.AAD.4.1v1", "Sending Entra logs to a SOC is an Azure diagnostic setting, outside Microsoft 365."},
	{"Scuba MS.AAD.6.1v1", "Password expiration is a per-domain setting: not managed by this provider."},
	{"Scuba MS.AAD.7.1v1", "Global Administrator assignments are about people: not automatable by a baseline."},
	{"Scuba MS.AAD.7.2v1", "Role assignments are about people: not automatable by a baseline."},
	{"Scuba MS.AAD.7.3v1", "Whether privileged accounts are cloud-only depends on the directory: not automatable by a baseline."},
	{"Scuba MS.AAD.7.4v1", "Privileged Identity Management assignments: not managed by this provider."},
	{"Scuba MS.AAD.7.5v1", "Provisioning through a PAM system is a process: not automatable."},
	{"Scuba MS.AAD.7.6v1", "Privileged Identity Management role settings: not managed by this provider."},
	{"Scuba MS.AAD.7.7v1", "Privileged Identity Management alerts: not managed by this provider."},
	{"Scuba MS.AAD.7.8v1", "Privileged Identity Management alerts: not managed by this provider."},
	{"Scuba MS.AAD.9.1v1", "Agent risk policies: not managed by this provider."},
	{"Scuba MS.EXO.2.2v3", "SPF is a DNS record published at the domain's DNS host, outside Microsoft 365."},
	{"Scuba MS.EXO.4.1v1", "DMARC is a DNS record published at the domain's DNS host, outside Microsoft 365."},
	{"Scuba MS.EXO.4.2v1", "DMARC is a DNS record published at the domain's DNS host, outside Microsoft 365."},
	{"Scuba MS.EXO.4.3v1", "DMARC is a DNS record published at the domain's DNS host, outside Microsoft 365."},
	{"Scuba MS.DEFENDER.4.1v2", "Data loss prevention policies: not managed by this provider."},
	{"Scuba MS.DEFENDER.5.1v1", "Not checked under this ID: the alerts it refers to are the list of MS.SECURITYSUITE.4.1v1, which `alert-policies` checks."},
	{"Scuba MS.DEFENDER.6.1v1", "Not checked under this ID: its text is that of MS.SECURITYSUITE.5.1v1, which `unified-audit-log` checks."},
	{"Scuba MS.DEFENDER.6.3v1", "Not checked under this ID: its duration is OMB M-21-31's; `audit-log-retention` checks MS.SECURITYSUITE.5.2v1's 12 months."},
	{"Scuba MS.SECURITYSUITE.3.1v1", "Data loss prevention policies: not managed by this provider."},
	{"Scuba MS.SECURITYSUITE.6.1v1", "Inbound anti-spam policies: not managed by this provider."},
	{"Scuba MS.SECURITYSUITE.6.2v1", "Inbound anti-spam policies: not managed by this provider."},
}

func conformancePage() string {
	controlsOf := map[string][]string{}
	var ids []string
	for _, c := range catalogue {
		for _, ref := range c.References {
			if strings.HasPrefix(ref, "DSC ") {
				continue
			}
			if controlsOf[ref] == nil {
				ids = append(ids, ref)
			}
			controlsOf[ref] = append(controlsOf[ref], "`"+c.ID+"`")
		}
	}
	sort.SliceStable(ids, func(i, j int) bool { return idKey(ids[i]) < idKey(ids[j]) })
	var b strings.Builder
	b.WriteString(`---
page_title: "Conformance: CIS and ScubaGear IDs"
subcategory: ""
description: |-
  For each CIS Microsoft 365 Foundations and CISA ScubaGear ID the project cites: the m365harden_posture control that checks it, the block of a shipped baseline that sets it, or why neither is possible.
---

# Conformance: CIS and ScubaGear IDs

Generated from the posture catalogue and the shipped baselines by a test
(` + "`TestConformanceGuide`" + `), so it cannot drift from the code.

- **CIS** = CIS Microsoft 365 Foundations Benchmark v3.1.0, cited by section
  number; read the benchmark for each recommendation's text.
- **Scuba** = CISA ScubaGear secure configuration baselines; an ID means
  exactly its published text.
- **Control** = the ` + "`m365harden_posture`" + ` control that checks the ID (see
  the data source's documentation for what "pass" means).
- **Baseline block** = the block of ` + "`examples/baselines/cis`" + ` or
  ` + "`examples/baselines/scuba`" + ` that sets it. Both baselines are applied
  to an emulated tenant by acceptance tests that assert each claimed
  control fails before the apply, passes after it, fails again when the
  setting is changed out of band, and passes after the next apply.

Which to choose: ` + "`examples/baselines/cis`" + ` for CIS level 1 (conditional
access with MFA, risk policies that challenge with MFA and a password
change); ` + "`examples/baselines/scuba`" + ` for CISA ScubaGear (risk policies
that block, phishing-resistant MFA, a year of audit retention: needs
Microsoft Entra ID P2 and Purview Audit (Premium)). The CIS baseline's
anti-phishing policy needs Microsoft Defender for Office 365; both enable
DKIM for every custom domain, whose selector CNAMEs must be published
first. The ScubaGear baseline's country-block policy stays report-only
until ` + "`enforce_country_block`" + ` is true. A tenant may apply
both; ` + "`examples/baseline`" + ` is the demo's smaller mix of the two.

## Checked IDs

| ID | Control | Baseline block |
|---|---|---|
`)
	for _, id := range ids {
		blocks := "—"
		if bl := baselineBlocks[id]; len(bl) > 0 {
			q := make([]string, len(bl))
			for i, x := range bl {
				q[i] = "`" + x + "`"
			}
			blocks = strings.Join(q, "<br>")
		} else if why := noBlock[id]; why != "" {
			blocks = "none: " + why
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", id, strings.Join(controlsOf[id], ", "), blocks)
	}
	b.WriteString(`
## ScubaGear SHALL policies not automated

| ID | Reason |
|---|---|
`)
	for _, n := range notAutomatable {
		fmt.Fprintf(&b, "| %s | %s |\n", n.id, n.reason)
	}
	return b.String()
}

// idKey sorts CIS before Scuba and section numbers numerically.
func idKey(id string) string {
	re := regexp.MustCompile(`\d+`)
	return re.ReplaceAllStringFunc(id, func(s string) string { return fmt.Sprintf("%04s", s) })
}

func TestConformanceGuide(t *testing.T) {
	want := conformancePage()
	if os.Getenv("UPDATE_CONFORMANCE") != "" {
		if err := os.WriteFile(conformancePath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(conformancePath)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is out of date: run UPDATE_CONFORMANCE=1 go test ./internal/services/posture -run TestConformanceGuide", conformancePath)
	}
}

// TestConformanceBlocksExist: every baseline block named in the guide is a
// resource of that baseline, and every cited ID has a block or a reason.
func TestConformanceBlocksExist(t *testing.T) {
	src := map[string]string{}
	for _, name := range []string{"cis", "scuba"} {
		b, err := os.ReadFile("../../../examples/baselines/" + name + "/main.tf")
		if err != nil {
			t.Fatal(err)
		}
		src[name] = string(b)
	}
	for id, blocks := range baselineBlocks {
		for _, bl := range blocks {
			name, addr, _ := strings.Cut(bl, ": ")
			typ, res, _ := strings.Cut(addr, ".")
			if !strings.Contains(src[name], fmt.Sprintf("resource %q %q", typ, res)) {
				t.Errorf("%s: %s is not in examples/baselines/%s/main.tf", id, addr, name)
			}
			if !strings.Contains(src[name], strings.TrimPrefix(strings.TrimPrefix(id, "Scuba "), "CIS ")) {
				t.Errorf("%s: examples/baselines/%s/main.tf does not cite it", id, name)
			}
		}
	}
	for _, c := range catalogue {
		for _, ref := range c.References {
			if strings.HasPrefix(ref, "DSC ") {
				continue
			}
			if len(baselineBlocks[ref]) == 0 && noBlock[ref] == "" {
				t.Errorf("%s (%s) has neither a baseline block nor a reason", ref, c.ID)
			}
		}
	}
}
