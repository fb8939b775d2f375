package cmdletref

import "strings"

// The reference states accepted values in two ways: an "Accepted values:"
// line in a parameter's metadata (kept as accepted_values), and a list in
// its description ("Valid values are: ...", kept as valid_values with each
// value's note). The metadata line is always a closed list. A description
// list is one when the parameter's type is an enumeration; for the types
// below it lists examples, formats or the meaning of $true/$false instead
// (e.g. the forms of an IP range, the prefixes of a proxy address), so it
// does not restrict the value. Description lists of these types that are
// real enumerations (Set-Mailbox -AuditAdmin, ...) are read as lists in
// deviations.go, with the reason.
var freeFormTypes = map[string]bool{
	"Boolean": true, "System.Boolean": true, "Int32": true, "String": true, "String[]": true,
	"MultiValuedProperty": true, "ProxyAddressCollection": true, "Word[]": true,
}

// documentedValues returns the values the reference accepts in the cloud
// services, or nil when it documents no closed list.
func documentedValues(p rawParam) []string {
	if len(p.AcceptedValues) > 0 {
		return dedupeFold(p.AcceptedValues)
	}
	if len(p.ValidValues) == 0 || freeFormTypes[p.Type] {
		return nil
	}
	return descriptionValues(p.ValidValues)
}

// descriptionValues returns the values of a description list that exist in
// the cloud services.
func descriptionValues(list []Value) []string {
	var out []string
	for _, v := range list {
		if onPremisesOnly(v.Note) {
			continue
		}
		// A few list items end their sentence with a full stop
		// ("Disabled.", "$false."); the value is the word.
		out = append(out, strings.TrimSuffix(strings.TrimSpace(v.Value), "."))
	}
	return dedupeFold(out)
}

// onPremisesOnly reports whether a value's note says the value exists only
// in on-premises Exchange: "(Available only in Exchange 2013.)", "This
// value is available only in on-premises Exchange." A note that names the
// cloud-based service as well ("Available only in Exchange 2019 and the
// cloud-based service") keeps the value.
func onPremisesOnly(note string) bool {
	n := strings.ToLower(note)
	return strings.Contains(n, "available only in") && !strings.Contains(n, "cloud")
}

func dedupeFold(in []string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		dup := false
		for _, o := range out {
			if strings.EqualFold(o, v) {
				dup = true
				break
			}
		}
		if !dup && v != "" {
			out = append(out, v)
		}
	}
	return out
}
