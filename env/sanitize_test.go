package env

import (
	"strings"
	"testing"
)

// Spring Boot 3 masks every value unless show-values allows it, and keeps
// no key list of its own; its SanitizingFunction offers ifLikelyCredential
// (keys ending in password, secret, key, token, or containing credentials)
// and ifLikelyUri (keys ending in uri, url, address...), both opt-in
// (spring-projects/spring-boot at c329ffa,
// module/spring-boot-actuator/src/main/java/org/springframework/boot/actuate/endpoint/SanitizingFunction.java
// and Sanitizer.java). Our default is wider and on: a substring anywhere
// in the key, and values that carry credentials whatever their key.

func TestDefaultSanitizerMasksWhatLooksSecret(t *testing.T) {
	tests := []struct {
		key, value string
		masked     bool
	}{
		// Keys that name a secret, in any case and position.
		{"DB_PASSWORD", "hunter2", true},
		{"password", "hunter2", true},
		{"spring.datasource.password", "hunter2", true},
		{"MYSQL_ROOT_PASSWD", "x", true},
		{"GITHUB_TOKEN", "ghp_x", true},
		{"AWS_SECRET_ACCESS_KEY", "x", true},
		{"AWS_ACCESS_KEY_ID", "AKIA", true},
		{"apiKey", "x", true},
		{"STRIPE_APIKEY", "x", true},
		{"GOOGLE_APPLICATION_CREDENTIALS", "/etc/gcp.json", true},
		{"OAuthClient", "x", true},
		{"BASIC_AUTH", "x", true},
		{"TLS_PRIVATE_PEM", "x", true},
		{"WEBHOOK_SIGNATURE", "x", true},
		{"SENTRY_DSN", "https://abc@o1.ingest.sentry.io/1", true},
		{"Secret", "", true},
		// Over-masking is the price of a substring rule: these hold a word.
		{"KEYBOARD_LAYOUT", "us", true},
		{"AUTHOR", "ada", true},
		{"TOKENIZERS_PARALLELISM", "false", true},
		{"SSH_AUTH_SOCK", "/tmp/agent", true},
		// Harmless names and values are shown.
		{"HOME", "/home/ada", false},
		{"PATH", "/usr/bin:/bin", false},
		{"LANG", "en_US.UTF-8", false},
		{"PWD", "/srv", false},
		{"server.port", "8080", false},
		{"EMPTY", "", false},
		{"ADMIN_EMAIL", "ops@example.com", false},
		{"GIT_REMOTE", "git@github.com:org/repo.git", false},
		{"SERVICE_URL", "https://example.com/a@b", false},
		{"SERVICE_URL", "https://example.com:8443/x?a=1&b=2", false},
		{"LS_COLORS", "di=01;34:ln=01;36", false},
		{"GREETING", "hello = world", false},
		// Values that carry a credential whatever their name.
		{"DATABASE_URL", "postgres://app:hunter2@db:5432/app", true},
		{"REDIS_URL", "redis://:hunter2@cache:6379/0", true},
		{"UPSTREAM", "https://ghp_x@github.com/org/repo", true},
		{"PROXIES", "http://a.example, http://u:p@b.example", true},
		{"DB", "root:hunter2@tcp(localhost:3306)/app", true},
		{"PG_CONN", "host=db user=app password=hunter2", true},
		{"ODBC", "Server=db;Uid=app;Pwd=hunter2;", true},
		{"JAVA_OPTS", "-Djavax.net.ssl.keyStorePassword=x", true},
		{"BLOB", "https://a.blob.core.windows.net/c?sv=2024&sig=abc", true},
		{"CALLBACK", "https://example.com/cb?access_token=abc", true},
		{"LINK", "mailto:ops:x@example.com", true},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			got := DefaultSanitizer(tc.key, tc.value)
			if masked := got == Mask; masked != tc.masked {
				t.Errorf("DefaultSanitizer(%q, %q) = %q, masked %v, want %v", tc.key, tc.value, got, masked, tc.masked)
			}
			if !tc.masked && got != tc.value {
				t.Errorf("DefaultSanitizer(%q, %q) = %q, want the value unchanged", tc.key, tc.value, got)
			}
		})
	}
}

// TestDefaultSanitizerStaysLinearOnHostileValues feeds values built to make
// a backward scan quadratic; each must finish (the scans stop at the
// previous "@" or "="). No time is asserted: a quadratic scan of these
// would take minutes, not the test's second.
func TestDefaultSanitizerStaysLinearOnHostileValues(t *testing.T) {
	for _, v := range []string{
		strings.Repeat("a@", 1<<19),
		strings.Repeat("a=", 1<<19),
		strings.Repeat("a", 1<<20) + "@",
	} {
		DefaultSanitizer("X", v)
	}
}
