package signins

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Result shapes shared by the sign-in data sources, with their schemas.

type eventModel struct {
	ID                    string `tfsdk:"id"`
	Time                  string `tfsdk:"time"`
	UserPrincipalName     string `tfsdk:"user_principal_name"`
	UserDisplayName       string `tfsdk:"user_display_name"`
	AppDisplayName        string `tfsdk:"app_display_name"`
	ClientAppUsed         string `tfsdk:"client_app_used"`
	IPAddress             string `tfsdk:"ip_address"`
	City                  string `tfsdk:"city"`
	State                 string `tfsdk:"state"`
	Country               string `tfsdk:"country"`
	ErrorCode             int64  `tfsdk:"error_code"`
	FailureReason         string `tfsdk:"failure_reason"`
	RiskLevelDuringSignIn string `tfsdk:"risk_level_during_sign_in"`
	RiskLevelAggregated   string `tfsdk:"risk_level_aggregated"`
	RiskState             string `tfsdk:"risk_state"`
	RiskDetail            string `tfsdk:"risk_detail"`
}

func str(d string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: d, Computed: true}
}
func num(d string) schema.Int64Attribute {
	return schema.Int64Attribute{MarkdownDescription: d, Computed: true}
}
func strList(d string) schema.ListAttribute {
	return schema.ListAttribute{MarkdownDescription: d, Computed: true, ElementType: types.StringType}
}

func eventsAttribute(d string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: d,
		Computed:            true,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"id":                        str("The sign-in's id (Graph `id`)."),
			"time":                      str("When the sign-in happened, RFC 3339 (Graph `createdDateTime`)."),
			"user_principal_name":       str("The user's sign-in name (Graph `userPrincipalName`)."),
			"user_display_name":         str("The user's display name (Graph `userDisplayName`)."),
			"app_display_name":          str("The application signed in to (Graph `appDisplayName`)."),
			"client_app_used":           str("The client: `Browser`, `Mobile Apps and Desktop clients`, `Exchange ActiveSync`, `Other clients` (legacy protocols), ... (Graph `clientAppUsed`)."),
			"ip_address":                str("The client's IP address (Graph `ipAddress`)."),
			"city":                      str("City (Graph `location.city`)."),
			"state":                     str("State or province (Graph `location.state`)."),
			"country":                   str("Two-letter country or region code (Graph `location.countryOrRegion`)."),
			"error_code":                num("Microsoft Entra error code, 0 for success (Graph `status.errorCode`; e.g. 50126 invalid username or password, 50053 account locked, 50074 MFA required)."),
			"failure_reason":            str("Why the sign-in failed (Graph `status.failureReason`)."),
			"risk_level_during_sign_in": str("Risk level of the sign-in (Graph `riskLevelDuringSignIn`)."),
			"risk_level_aggregated":     str("Aggregated risk level (Graph `riskLevelAggregated`)."),
			"risk_state":                str("Risk state (Graph `riskState`)."),
			"risk_detail":               str("Why the risk state is what it is (Graph `riskDetail`)."),
		}},
	}
}

type countModel struct {
	Key   string `tfsdk:"key"`
	Count int64  `tfsdk:"count"`
}

func countsAttribute(d string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: d,
		Computed:            true,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"key":   str("The value counted."),
			"count": num("How many events have it."),
		}},
	}
}

type sprayModel struct {
	IPAddress    string   `tfsdk:"ip_address"`
	Country      string   `tfsdk:"country"`
	UserCount    int64    `tfsdk:"user_count"`
	FailureCount int64    `tfsdk:"failure_count"`
	FirstSeen    string   `tfsdk:"first_seen"`
	LastSeen     string   `tfsdk:"last_seen"`
	Users        []string `tfsdk:"users"`
}

type bruteModel struct {
	UserPrincipalName string   `tfsdk:"user_principal_name"`
	FailureCount      int64    `tfsdk:"failure_count"`
	IPAddresses       []string `tfsdk:"ip_addresses"`
	Countries         []string `tfsdk:"countries"`
	LockedOut         bool     `tfsdk:"locked_out"`
	FirstSeen         string   `tfsdk:"first_seen"`
	LastSeen          string   `tfsdk:"last_seen"`
}

type countryModel struct {
	Country      string   `tfsdk:"country"`
	FailureCount int64    `tfsdk:"failure_count"`
	UserCount    int64    `tfsdk:"user_count"`
	Users        []string `tfsdk:"users"`
	IPAddresses  []string `tfsdk:"ip_addresses"`
}
