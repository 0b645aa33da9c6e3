// Package env serves the actuator's /env endpoint: the process environment
// and the configuration sources the program adds, with their values masked
// unless the program chooses to show them.
//
// The document follows Spring Boot Actuator's shape. Sources are listed in
// order of precedence, the process environment ("systemEnvironment") first,
// then the sources added with [WithSource] and [WithSourceFunc] in the order
// given:
//
//	GET /env?pattern=^HOME$
//	{"activeProfiles":[],"defaultProfiles":[],
//	 "propertySources":[
//	   {"name":"systemEnvironment","properties":{"HOME":{"value":"******","origin":"System Environment Property \"HOME\""}}},
//	   {"name":"app","properties":{}}]}
//
//	GET /env/HOME
//	{"property":{"source":"systemEnvironment","value":"******"},
//	 "activeProfiles":[],"defaultProfiles":[],
//	 "propertySources":[
//	   {"name":"systemEnvironment","property":{"value":"******","origin":"System Environment Property \"HOME\""}},
//	   {"name":"app"}]}
//
// "property" names the first source that holds the name; a name that no
// source holds gets 404. The pattern is a regular expression ([regexp]
// syntax, at most [MaxPatternLength] bytes) that selects names it matches
// anywhere, as Java's Pattern.find does; a malformed or longer one gets 400.
// The process environment is read at each request, as Spring reads it.
//
// # Masking
//
// Every value is shown as "******" ([Mask]) unless [WithShowValues] says
// otherwise: [Never] (the default), [WhenAuthorized] (when the function set
// with [WithAuthorizer] accepts the request) or [Always], as Spring Boot's
// management.endpoint.env.show-values. Even when values are shown, the
// sanitizer decides each one; the default, [DefaultSanitizer], keeps values
// that look secret masked:
//
//   - a name holding, in any case, password, passwd, secret, token, key,
//     credential, auth, private, signature or dsn (so DB_PASSWORD and
//     GITHUB_TOKEN, but also KEYBOARD_LAYOUT and AUTHOR: the rule errs on the
//     side of masking);
//   - a value holding a URL or DSN with user information
//     (postgres://user:pw@db/app, https://token@host, user:pw@tcp(db:3306)/app);
//   - a value holding a parameter whose name looks secret, or is sig, pwd or
//     pass (host=db password=pw, ...?sig=...).
//
// A sanitizer of your own, set with [WithSanitizer], replaces these rules;
// it can call [DefaultSanitizer] for the names it does not handle.
//
// # Security
//
// The environment often holds credentials. Keep the endpoint unexposed
// unless needed and behind an authorizer (the actuator's root does both),
// and prefer [WhenAuthorized] to [Always].
package env
