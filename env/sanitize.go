package env

import "strings"

// secretWords are the parts of a name that make it look secret.
var secretWords = []string{
	"password", "passwd", "secret", "token", "key", "credential",
	"auth", "private", "signature", "dsn",
}

// secretParams are parameter names that look secret though they hold none
// of secretWords: Azure's SAS signature, ODBC's pwd, and pass.
var secretParams = []string{"sig", "pwd", "pass"}

// DefaultSanitizer returns [Mask] for a value that looks secret and the
// value itself otherwise. A value looks secret when its key holds, in any
// case, one of password, passwd, secret, token, key, credential, auth,
// private, signature or dsn; when it holds user information before an "@"
// (user:pw@host, scheme://user@host); or when it holds a parameter
// (name=...) whose name looks secret by the same words, or is sig, pwd or
// pass.
func DefaultSanitizer(key, value string) string {
	if looksSecret(key, value) {
		return Mask
	}
	return value
}

func looksSecret(key, value string) bool {
	return secretName(key) || hasUserInfo(value) || hasSecretParam(value)
}

func secretName(name string) bool {
	lower := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// hasUserInfo reports whether an "@" in v ends user information: a run of
// characters with a colon (user:pw@), or one right after "//"
// (scheme://token@). Each scan stops at the previous "@", so the whole
// check is linear in len(v).
func hasUserInfo(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] != '@' {
			continue
		}
		start := i
		for start > 0 && !userInfoStop(v[start-1]) {
			start--
		}
		if strings.IndexByte(v[start:i], ':') >= 0 || strings.HasSuffix(v[:start], "//") {
			return true
		}
	}
	return false
}

func userInfoStop(c byte) bool {
	switch c {
	case '@', '/', ',', ';', '"', '\'', '(', ')', '<', '>', '[', ']', '{', '}', ' ', '\t', '\n', '\r', '?', '#', '&', '=':
		return true
	}
	return false
}

// hasSecretParam reports whether a name=... in v has a secret-looking name.
func hasSecretParam(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] != '=' {
			continue
		}
		start := i
		for start > 0 && paramChar(v[start-1]) {
			start--
		}
		name := v[start:i]
		if name == "" {
			continue
		}
		if secretName(name) {
			return true
		}
		for _, p := range secretParams {
			if strings.EqualFold(name, p) {
				return true
			}
		}
	}
	return false
}

func paramChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.'
}
