package info

// Build stamps. A release pipeline sets them at link time, for example:
//
//	go build -ldflags "\
//	  -X github.com/actuatorgo/actuator/info.Version=1.2.3 \
//	  -X github.com/actuatorgo/actuator/info.Branch=$(git rev-parse --abbrev-ref HEAD) \
//	  -X github.com/actuatorgo/actuator/info.BuildTime=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
//
// A non-empty stamp takes precedence over what [runtime/debug.ReadBuildInfo]
// reports; an empty one leaves the build info in charge. Times may be given
// in RFC 3339 or as Unix seconds; they are served in RFC 3339, UTC. A time
// that parses as neither is served as given.
//
// The variables are read once, by [New]. Set them with -ldflags, not by
// assignment at run time.
var (
	// Version is the application version (build.version). Default: the
	// main module's version, which Go 1.24+ derives from the VCS tag.
	Version string
	// Commit is the full VCS revision (git.commit.id). Default: vcs.revision.
	Commit string
	// CommitTime is the commit time (git.commit.time). Default: vcs.time.
	CommitTime string
	// Branch is the VCS branch (git.branch). Go does not record it, so
	// this stamp is its only source.
	Branch string
	// Dirty is "true" when the build had uncommitted changes (git.dirty,
	// full mode). Default: vcs.modified.
	Dirty string
	// BuildTime is when the binary was built (build.time). Go does not
	// record it, so this stamp is its only source.
	BuildTime string
	// BuildName is the application name (build.name). Default: the last
	// element of the main package's import path.
	BuildName string
	// BuildNumber is the CI build or pipeline number (build.number).
	BuildNumber string
	// BuildURL links to the CI run that built the binary (build.url).
	BuildURL string
	// BuildUser is who or what built the binary (build.user).
	BuildUser string
)

// stamps is a snapshot of the link-time variables, so tests can supply
// their own without touching package state.
type stamps struct {
	Version, Commit, CommitTime, Branch, Dirty             string
	BuildTime, BuildName, BuildNumber, BuildURL, BuildUser string
}

func linkStamps() stamps {
	return stamps{
		Version:     Version,
		Commit:      Commit,
		CommitTime:  CommitTime,
		Branch:      Branch,
		Dirty:       Dirty,
		BuildTime:   BuildTime,
		BuildName:   BuildName,
		BuildNumber: BuildNumber,
		BuildURL:    BuildURL,
		BuildUser:   BuildUser,
	}
}
