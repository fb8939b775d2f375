package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Named locations, Microsoft Graph v1.0
// /identity/conditionalAccess/namedLocations
// (https://learn.microsoft.com/en-us/graph/api/resources/namedlocation).

// NamedLocation is a countryNamedLocation (Country set) or an
// ipNamedLocation (IP set).
type NamedLocation struct {
	ID          string
	DisplayName string
	Country     *CountryLocation
	IP          *IPLocation
}

// CountryLocation holds a countryNamedLocation's properties.
type CountryLocation struct {
	CountriesAndRegions               []string
	IncludeUnknownCountriesAndRegions bool
	CountryLookupMethod               string // clientIpAddress, authenticatorAppGps
}

// IPLocation holds an ipNamedLocation's properties.
type IPLocation struct {
	IPRanges  []string // CIDR, IPv4 or IPv6
	IsTrusted bool
}

// ErrInUse marks a refused delete of a location Graph will not delete
// (400 on DELETE): still named by a Conditional Access policy, or still
// marked trusted.
var ErrInUse = errors.New("named location in use")

const namedLocationsPath = "/identity/conditionalAccess/namedLocations"

// namedLocation is /identity/conditionalAccess/namedLocations/{id}.
func namedLocation(c *Client, id string) endpoint[models.NamedLocationable] {
	return at[models.NamedLocationable](c, namedLocationsPath+"/"+seg(id), models.CreateNamedLocationFromDiscriminatorValue)
}

// ListNamedLocations returns every named location.
func (c *Client) ListNamedLocations(ctx context.Context) ([]*NamedLocation, error) {
	const op = "GET /identity/conditionalAccess/namedLocations"
	b := at[models.NamedLocationCollectionResponseable](c, namedLocationsPath, models.CreateNamedLocationCollectionResponseFromDiscriminatorValue)
	resp, err := b.Get(ctx, nil)
	var out []*NamedLocation
	for {
		if err != nil {
			return nil, Describe(err, op)
		}
		for _, l := range resp.GetValue() {
			out = append(out, namedLocationFromSDK(l))
		}
		next := resp.GetOdataNextLink()
		if next == nil || *next == "" {
			return out, nil
		}
		resp, err = b.Next(ctx, *next)
	}
}

// GetNamedLocation reads one location; a missing one is ErrNotFound.
func (c *Client) GetNamedLocation(ctx context.Context, id string) (*NamedLocation, error) {
	l, err := namedLocation(c, id).Get(ctx, nil)
	if err != nil {
		return nil, Describe(err, "GET /identity/conditionalAccess/namedLocations/"+id)
	}
	return namedLocationFromSDK(l), nil
}

// CreateNamedLocation creates a location and returns it as Graph answered.
func (c *Client) CreateNamedLocation(ctx context.Context, l *NamedLocation) (*NamedLocation, error) {
	body, err := namedLocationToSDK(l)
	if err != nil {
		return nil, err
	}
	out, err := at[models.NamedLocationable](c, namedLocationsPath, models.CreateNamedLocationFromDiscriminatorValue).Post(ctx, body)
	if err != nil {
		return nil, Describe(err, "POST /identity/conditionalAccess/namedLocations")
	}
	return namedLocationFromSDK(out), nil
}

// UpdateNamedLocation sends every property of the location's type (ipRanges
// replaces the stored list as a whole).
func (c *Client) UpdateNamedLocation(ctx context.Context, id string, l *NamedLocation) error {
	body, err := namedLocationToSDK(l)
	if err != nil {
		return err
	}
	if err := namedLocation(c, id).Patch(ctx, body); err != nil {
		return Describe(err, "PATCH /identity/conditionalAccess/namedLocations/"+id)
	}
	return nil
}

// DeleteNamedLocation deletes a location; a missing one is ErrNotFound, a
// refused one (400) also ErrInUse.
func (c *Client) DeleteNamedLocation(ctx context.Context, id string) error {
	err := namedLocation(c, id).Delete(ctx)
	if err == nil {
		return nil
	}
	err = Describe(err, "DELETE /identity/conditionalAccess/namedLocations/"+id)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusBadRequest {
		e.kind = ErrInUse
	}
	return err
}

func namedLocationToSDK(l *NamedLocation) (models.NamedLocationable, error) {
	name := l.DisplayName
	switch {
	case l.Country != nil:
		m := models.NewCountryNamedLocation()
		t := "#microsoft.graph.countryNamedLocation"
		m.SetOdataType(&t)
		m.SetDisplayName(&name)
		m.SetCountriesAndRegions(nonNil(l.Country.CountriesAndRegions))
		inc := l.Country.IncludeUnknownCountriesAndRegions
		m.SetIncludeUnknownCountriesAndRegions(&inc)
		method, err := parseEnum[models.CountryLookupMethodType](models.ParseCountryLookupMethodType, l.Country.CountryLookupMethod, "country lookup method")
		if err != nil {
			return nil, err
		}
		m.SetCountryLookupMethod(&method)
		return m, nil
	case l.IP != nil:
		m := models.NewIpNamedLocation()
		t := "#microsoft.graph.ipNamedLocation"
		m.SetOdataType(&t)
		m.SetDisplayName(&name)
		trusted := l.IP.IsTrusted
		m.SetIsTrusted(&trusted)
		ranges := make([]models.IpRangeable, 0, len(l.IP.IPRanges))
		for _, r := range l.IP.IPRanges {
			p, err := netip.ParsePrefix(r)
			if err != nil {
				return nil, fmt.Errorf("IP range %q is not CIDR notation: %w", r, err)
			}
			cidr := r
			if p.Addr().Is4() {
				v := models.NewIPv4CidrRange()
				v.SetCidrAddress(&cidr)
				ranges = append(ranges, v)
			} else {
				v := models.NewIPv6CidrRange()
				v.SetCidrAddress(&cidr)
				ranges = append(ranges, v)
			}
		}
		m.SetIpRanges(ranges)
		return m, nil
	}
	return nil, errors.New("a named location needs country or IP properties")
}

func namedLocationFromSDK(m models.NamedLocationable) *NamedLocation {
	l := &NamedLocation{ID: deref(m.GetId()), DisplayName: deref(m.GetDisplayName())}
	switch t := m.(type) {
	case models.CountryNamedLocationable:
		c := &CountryLocation{CountriesAndRegions: nonNil(t.GetCountriesAndRegions()), CountryLookupMethod: "clientIpAddress"}
		if v := t.GetIncludeUnknownCountriesAndRegions(); v != nil {
			c.IncludeUnknownCountriesAndRegions = *v
		}
		if v := t.GetCountryLookupMethod(); v != nil {
			c.CountryLookupMethod = v.String()
		}
		l.Country = c
	case models.IpNamedLocationable:
		ip := &IPLocation{IPRanges: []string{}}
		if v := t.GetIsTrusted(); v != nil {
			ip.IsTrusted = *v
		}
		for _, r := range t.GetIpRanges() {
			switch rr := r.(type) {
			case models.IPv4CidrRangeable:
				ip.IPRanges = append(ip.IPRanges, deref(rr.GetCidrAddress()))
			case models.IPv6CidrRangeable:
				ip.IPRanges = append(ip.IPRanges, deref(rr.GetCidrAddress()))
			}
		}
		l.IP = ip
	}
	return l
}
