package m365sim

import (
	"crypto/cipher"
	"crypto/des" //nolint:gosec // PKCS#12 key bags use 3DES; it is what golang.org/x/crypto/pkcs12 (and azidentity) read
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // PKCS#12 MAC and KDF are SHA-1 based
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"time"
	"unicode/utf16"
)

// GenerateTestCertificate makes a self-signed RSA certificate for an app
// registration, as `New-SelfSignedCertificate` or openssl would for
// certificate credentials, and returns it as PEM, its key as PEM (PKCS#8)
// and both as a PFX with an empty password. Use EncodeTestPFX for a PFX with
// a password.
func GenerateTestCertificate(commonName string) (certPEM, keyPEM []byte, pfx []byte, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	pk8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk8})
	pfx, err = EncodeTestPFX(certPEM, keyPEM, "")
	return certPEM, keyPEM, pfx, err
}

// EncodeTestPFX packs a certificate and its private key (PEM) into a PKCS#12
// file protected by password, in the layout golang.org/x/crypto/pkcs12 (and
// so azidentity.ParseCertificates) reads: two data safes, a certificate bag
// and a pkcs8ShroudedKeyBag (pbeWithSHAAnd3-KeyTripleDES-CBC), SHA-1 MAC.
// RFC 7292. For tests only: the cipher suite is the legacy one.
func EncodeTestPFX(certPEM, keyPEM []byte, password string) ([]byte, error) {
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, errors.New("pfx: no CERTIFICATE block")
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, errors.New("pfx: no private key block")
	}
	keyDER := kb.Bytes
	if kb.Type == "RSA PRIVATE KEY" {
		k, err := x509.ParsePKCS1PrivateKey(kb.Bytes)
		if err != nil {
			return nil, err
		}
		if keyDER, err = x509.MarshalPKCS8PrivateKey(k); err != nil {
			return nil, err
		}
	}
	pw, err := bmpPassword(password)
	if err != nil {
		return nil, err
	}
	const iterations = 2048

	// Certificate bag.
	certBagValue, err := asn1.Marshal(struct {
		ID   asn1.ObjectIdentifier
		Data []byte `asn1:"tag:0,explicit"`
	}{oidCertTypeX509, cb.Bytes})
	if err != nil {
		return nil, err
	}
	certSafe, err := marshalSafeContents(oidCertBag, certBagValue)
	if err != nil {
		return nil, err
	}

	// Shrouded key bag.
	salt := make([]byte, 8)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	k := pkcs12KDF(salt, pw, iterations, 1, 24)
	iv := pkcs12KDF(salt, pw, iterations, 2, 8)
	block, err := des.NewTripleDESCipher(k)
	if err != nil {
		return nil, err
	}
	padLen := 8 - len(keyDER)%8
	plain := append(append([]byte(nil), keyDER...), make([]byte, padLen)...)
	for i := len(keyDER); i < len(plain); i++ {
		plain[i] = byte(padLen)
	}
	enc := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(enc, plain)
	params, err := asn1.Marshal(struct {
		Salt       []byte
		Iterations int
	}{salt, iterations})
	if err != nil {
		return nil, err
	}
	keyBagValue, err := asn1.Marshal(struct {
		Algo pkix.AlgorithmIdentifier
		Data []byte
	}{pkix.AlgorithmIdentifier{Algorithm: oidPBEWithSHAAnd3KeyTripleDESCBC, Parameters: asn1.RawValue{FullBytes: params}}, enc})
	if err != nil {
		return nil, err
	}
	keySafe, err := marshalSafeContents(oidPKCS8ShroudedKeyBag, keyBagValue)
	if err != nil {
		return nil, err
	}

	authSafe, err := asn1.Marshal([]pfxContentInfo{dataContentInfo(certSafe), dataContentInfo(keySafe)})
	if err != nil {
		return nil, err
	}
	macSalt := make([]byte, 8)
	if _, err := rand.Read(macSalt); err != nil {
		return nil, err
	}
	mac := hmac.New(sha1.New, pkcs12KDF(macSalt, pw, iterations, 3, 20))
	mac.Write(authSafe)

	type digestInfo struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	type macData struct {
		Mac        digestInfo
		MacSalt    []byte
		Iterations int
	}
	return asn1.Marshal(struct {
		Version  int
		AuthSafe pfxContentInfo
		MacData  macData
	}{3, dataContentInfo(authSafe), macData{
		Mac:        digestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA1, Parameters: asn1.NullRawValue}, Digest: mac.Sum(nil)},
		MacSalt:    macSalt,
		Iterations: iterations,
	}})
}

var (
	oidDataContentType               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidCertBag                       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidPKCS8ShroudedKeyBag           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertTypeX509                  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidPBEWithSHAAnd3KeyTripleDESCBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidSHA1                          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
)

type pfxContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue // [0] EXPLICIT, built by explicit0
}

// explicit0 wraps DER bytes in a context-specific [0] constructed tag
// (encoding/asn1 drops the explicit tag of a RawValue with FullBytes).
func explicit0(der []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
}

// dataContentInfo wraps bytes as a ContentInfo of type data (an OCTET STRING).
func dataContentInfo(b []byte) pfxContentInfo {
	octets, _ := asn1.Marshal(b)
	return pfxContentInfo{ContentType: oidDataContentType, Content: explicit0(octets)}
}

func marshalSafeContents(bagID asn1.ObjectIdentifier, value []byte) ([]byte, error) {
	type safeBag struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue
	}
	return asn1.Marshal([]safeBag{{ID: bagID, Value: explicit0(value)}})
}

// bmpPassword encodes a password as a NUL-terminated BMPString (RFC 7292 B.1).
func bmpPassword(s string) ([]byte, error) {
	out := make([]byte, 0, 2*len(s)+2)
	for _, r := range s {
		if r1, _ := utf16.EncodeRune(r); r1 != 0xfffd {
			return nil, errors.New("pfx: password has characters outside the BMP")
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return append(out, 0, 0), nil
}

// pkcs12KDF derives key material with SHA-1 (RFC 7292 appendix B.2).
func pkcs12KDF(salt, password []byte, iterations int, id byte, size int) []byte {
	const u, v = 20, 64
	fill := func(in []byte) []byte {
		if len(in) == 0 {
			return nil
		}
		n := v * ((len(in) + v - 1) / v)
		out := make([]byte, n)
		for i := range out {
			out[i] = in[i%len(in)]
		}
		return out
	}
	d := make([]byte, v)
	for i := range d {
		d[i] = id
	}
	I := append(fill(salt), fill(password)...)
	var out []byte
	one := big.NewInt(1)
	for len(out) < size {
		h := sha1.New()
		h.Write(d)
		h.Write(I)
		a := h.Sum(nil)
		for j := 1; j < iterations; j++ {
			s := sha1.Sum(a)
			a = s[:]
		}
		out = append(out, a...)
		if len(out) >= size {
			break
		}
		b := make([]byte, v)
		for i := range b {
			b[i] = a[i%u]
		}
		bInt := new(big.Int).SetBytes(b)
		bInt.Add(bInt, one)
		for j := 0; j < len(I); j += v {
			ij := new(big.Int).SetBytes(I[j : j+v])
			ij.Add(ij, bInt)
			bs := ij.Bytes()
			if len(bs) > v {
				bs = bs[len(bs)-v:]
			}
			chunk := I[j : j+v]
			for k := range chunk {
				chunk[k] = 0
			}
			copy(chunk[v-len(bs):], bs)
		}
	}
	return out[:size]
}
