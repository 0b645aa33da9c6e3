// Command loadrun drives every contender of the side-by-side benchmark with
// wrk on loopback, in interleaved rounds, and writes the table of
// docs/benchmarks.md and its SVG chart. bench/run builds and calls it; see
// there for the prerequisites.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"html"
	"io"
	"log"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is one process to measure.
type server struct {
	name string   // shown in the table
	argv []string // command, run pinned to the server core
	path string   // request path
	base string   // key of the baseline server, "" for a baseline
	own  bool     // baseline from the minimal binary, not the servers one
	gin  bool     // baseline is a gin route, not a bare net/http handler
	// control, when set, makes this server the baseline of control's row
	// measured as one more contender against itself: its row shows what
	// the machine's noise alone does to a ratio.
	control *server
	row     string // what the row measures
	goal    string // the target, as text
}

type sample struct {
	rps      float64
	p50, p99 time.Duration
	hwm      int64         // VmHWM, bytes
	cpu      time.Duration // server CPU time (user+system) per request
}

var (
	serversBin = flag.String("servers", "", "the bench/cmd/servers binary")
	minimalBin = flag.String("minimal", "", "the bench/cmd/minimal binary, built with -tags nogin")
	nodeDir    = flag.String("node", "", "bench/node, with node_modules installed")
	rounds     = flag.Int("rounds", 5, "interleaved rounds")
	duration   = flag.Duration("d", 5*time.Second, "wrk duration of each measurement, in whole seconds")
	warmup     = flag.Duration("warmup", time.Second, "warm-up before each measurement, not counted")
	conns      = flag.Int("c", 32, "wrk connections")
	out        = flag.String("out", "", "markdown file whose generated section is replaced")
	svgOut     = flag.String("svg", "", "SVG chart to write")
	serverCPU  = flag.String("server-cpu", "0", "taskset CPU list for the servers")
	wrkCPU     = flag.String("wrk-cpu", "1", "taskset CPU list for wrk")
	invocation = flag.String("invocation", "", "how bench/run was called, for the page")
	only       = flag.String("only", "", "comma-separated server names to run (with their baselines)")
	tmp        string
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	if *serversBin == "" || *nodeDir == "" {
		log.Fatal("loadrun: -servers and -node are required (run bench/run)")
	}
	var err error
	if tmp, err = os.MkdirTemp("", "loadrun"); err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)

	go_ := func(c string) []string { return []string{*serversBin, "-c", c} }
	node := func(c string) []string { return []string{"node", filepath.Join(*nodeDir, "server.js"), c} }
	oursHealth := &server{name: "ours", argv: go_("ours-health"), path: "/management/health", row: "`/health`, no user checks, `Handler(\"/management\")` on a ServeMux", goal: "≥ 0.95"}
	all := []*server{
		oursHealth,
		{name: "bare net/http, the first row's baseline again", argv: []string{"control"}, path: "/management/health", control: oursHealth,
			row: "control: a baseline against itself (the noise floor)"},
		{name: "go-actuator v1.6.0 (1 check, cached: it needs one)", argv: go_("goactuator-health"), path: "/actuator/health", row: "`/health`, no user checks"},
		{name: "alexliesenfeld/health v0.8.1", argv: go_("alex-health"), path: "/health", row: "`/health`, no user checks"},
		{name: "terminus 4.12.1 (Node)", argv: node("terminus"), path: "/health", row: "`/health`, no user checks"},
		{name: "express-actuator 1.8.4 (Node)", argv: node("express-actuator"), path: "/actuator/health", row: "`/health`, no user checks"},
		{name: "ours (run by every request, the default)", argv: go_("ours-health-3"), path: "/management/health", row: "`/health`, 3 trivial readiness checks", goal: "≥ 0.90"},
		{name: "ours (`WithTTL(time.Second)`)", argv: go_("ours-health-3-ttl"), path: "/management/health", row: "`/health`, 3 trivial readiness checks", goal: "≥ 0.90"},
		{name: "alexliesenfeld/health v0.8.1 (result cached 1 s, its default)", argv: go_("alex-health-3"), path: "/health", row: "`/health`, 3 trivial readiness checks"},
		{name: "ours, `-tags nogin` binary (base: a bare-only binary)", argv: []string{*minimalBin, "-c", "ours"}, path: "/management/health", own: true,
			row: "peak RSS over a bare server (`/health` as in the first row)", goal: "≤ +2 MiB"},
		{name: "ours", argv: go_("ours-middleware"), path: "/hello", row: "app route through `Middleware` (HTTP metrics on)", goal: "≥ 0.97"},
		{name: "ours", argv: go_("ours-gin"), path: "/actuator/health", gin: true, row: "`/actuator/health` through `app.Use(Gin(a))`, to gin's bare route", goal: "≥ 0.97"},
		{name: "ours", argv: go_("ours-metrics"), path: "/management/metrics", row: "`/metrics` JSON", goal: "≥ 0.80"},
		{name: "go-actuator v1.6.0", argv: go_("goactuator-metrics"), path: "/actuator/metrics", row: "`/metrics` JSON"},
		{name: "express-actuator 1.8.4 (Node)", argv: node("express-actuator"), path: "/actuator/metrics", row: "`/metrics` JSON"},
		{name: "ours", argv: go_("ours-prometheus"), path: "/management/prometheus", row: "`/prometheus`", goal: "≥ 0.65"},
	}
	if *only != "" {
		keep := strings.Split(*only, ",")
		all = slices.DeleteFunc(all, func(s *server) bool {
			return !slices.Contains(keep, s.argv[len(s.argv)-1])
		})
	}
	// A control needs its row's baseline.
	measured := map[*server]bool{}
	for _, s := range all {
		measured[s] = true
	}
	all = slices.DeleteFunc(all, func(s *server) bool { return s.control != nil && !measured[s.control] })

	// Capture each contender's answer once and give it a baseline writing
	// the same body and header fields: a bare net/http handler, or a route
	// of a bare gin engine for the gin rows.
	// order puts each baseline right before the first server it serves.
	bases := map[string]*server{}
	var order []*server
	port := 18100
	for _, s := range all {
		if s.control != nil {
			b := bases[s.control.base]
			s.argv, s.base = b.argv, s.control.base
			order = append(order, s)
			continue
		}
		body, header, err := capture(s, port)
		if err != nil {
			log.Fatalf("loadrun: %s %s: %v", s.name, s.path, err)
		}
		bin := *serversBin
		if s.own {
			bin = *minimalBin
		}
		kind, name := "bare", "bare net/http"
		if s.gin {
			kind, name = "gin-bare", "gin bare route"
		}
		key := bin + "\x00" + kind + "\x00" + header + "\x00" + string(body)
		if bases[key] == nil {
			f := filepath.Join(tmp, fmt.Sprintf("body%d", len(bases)))
			if err := os.WriteFile(f, body, 0o644); err != nil {
				log.Fatal(err)
			}
			if err := os.WriteFile(f+".header", []byte(header), 0o644); err != nil {
				log.Fatal(err)
			}
			argv := []string{bin, "-c", kind, "-body", f, "-header", f + ".header"}
			if s.gin {
				argv = append(argv, "-path", s.path)
			}
			b := &server{name: name, argv: argv, path: s.path}
			bases[key] = b
			order = append(order, b)
		}
		s.base = key
		order = append(order, s)
	}

	res := map[*server][]sample{}
	total := time.Now()
	for r := 0; r < *rounds; r++ {
		// Rotate the order each round so that no server always runs
		// first, or right after the same neighbour.
		n := len(order)
		for i := 0; i < n; i++ {
			s := order[(i + r*n / *rounds)%n]
			smp, err := measure(s, port)
			if err != nil {
				log.Fatalf("loadrun: round %d, %s %s: %v", r+1, s.name, s.path, err)
			}
			res[s] = append(res[s], smp)
			fmt.Fprintf(os.Stderr, "round %d/%d  %-30s %-22s %7.0f req/s  cpu %6.2fµs/req  p50 %-9v p99 %-9v hwm %5.1f MiB\n",
				r+1, *rounds, s.name, s.path, smp.rps, float64(smp.cpu)/1e3, smp.p50, smp.p99, float64(smp.hwm)/(1<<20))
		}
	}
	fmt.Fprintf(os.Stderr, "measured in %v\n", time.Since(total).Round(time.Second))

	rows := table(all, bases, res)
	md := render(rows)
	fmt.Print(md)
	if *out != "" {
		if err := splice(*out, md); err != nil {
			log.Fatal(err)
		}
	}
	if *svgOut != "" {
		if err := os.WriteFile(*svgOut, chart(rows), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// start runs s pinned to the server core and waits until it answers.
func start(s *server, port int) (*exec.Cmd, string, error) {
	argv := append([]string{"-c", *serverCPU}, s.argv...)
	if s.argv[0] == "node" {
		argv = append(argv, strconv.Itoa(port))
	} else {
		argv = append(argv, "-addr", fmt.Sprintf("127.0.0.1:%d", port))
	}
	cmd := exec.Command("taskset", argv...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, s.path)
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return cmd, url, nil
		}
	}
	stop(cmd)
	return nil, "", fmt.Errorf("no answer on %s", url)
}

func stop(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
}

// capture returns s's answer: its body, and its header as "Key: value"
// lines without the ones net/http writes itself.
func capture(s *server, port int) ([]byte, string, error) {
	cmd, url, err := start(s, port)
	if err != nil {
		return nil, "", err
	}
	defer stop(cmd)
	resp, err := http.Get(url)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	var header strings.Builder
	for _, k := range slices.Sorted(maps.Keys(resp.Header)) {
		switch k {
		case "Date", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding":
			continue
		}
		for _, v := range resp.Header[k] {
			fmt.Fprintf(&header, "%s: %s\n", k, v)
		}
	}
	return body, header.String(), err
}

var (
	reqsRe     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reqsDoneRe = regexp.MustCompile(`([0-9]+) requests in`)
	pctRe      = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
)

func measure(s *server, port int) (sample, error) {
	cmd, url, err := start(s, port)
	if err != nil {
		return sample{}, err
	}
	defer stop(cmd)
	warm(url, *warmup)
	cpu0, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return sample{}, err
	}
	secs := max(1, int(duration.Round(time.Second)/time.Second)) // wrk takes whole seconds
	o, err := exec.Command("taskset", "-c", *wrkCPU, "wrk", "-t1", "-c"+strconv.Itoa(*conns),
		"-d"+strconv.Itoa(secs)+"s", "--latency", url).CombinedOutput()
	if err != nil {
		return sample{}, fmt.Errorf("wrk: %v\n%s", err, o)
	}
	if bytes.Contains(o, []byte("Non-2xx")) || bytes.Contains(o, []byte("Socket errors")) {
		return sample{}, fmt.Errorf("wrk saw errors:\n%s", o)
	}
	m := reqsRe.FindSubmatch(o)
	if m == nil {
		return sample{}, fmt.Errorf("no Requests/sec in wrk output:\n%s", o)
	}
	var smp sample
	smp.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	cpu1, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return sample{}, err
	}
	if n := reqsDoneRe.FindSubmatch(o); n != nil {
		reqs, _ := strconv.ParseFloat(string(n[1]), 64)
		smp.cpu = time.Duration(float64(cpu1-cpu0) / reqs)
	}
	for _, p := range pctRe.FindAllSubmatch(o, -1) {
		v, _ := strconv.ParseFloat(string(p[2]), 64)
		unit := map[string]float64{"us": 1e3, "ms": 1e6, "s": 1e9}[string(p[3])]
		d := time.Duration(v * unit)
		if string(p[1]) == "50" {
			smp.p50 = d
		} else {
			smp.p99 = d
		}
	}
	smp.hwm, err = peakRSS(cmd.Process.Pid)
	return smp, err
}

// warm sends requests on a few keep-alive connections for d, so that the
// measurement starts on a warm server (Node's JIT, Go's pools).
func warm(url string, d time.Duration) {
	deadline := time.Now().Add(d)
	done := make(chan struct{})
	const n = 8
	for range n {
		go func() {
			defer func() { done <- struct{}{} }()
			for time.Now().Before(deadline) {
				resp, err := http.Get(url)
				if err != nil {
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	for range n {
		<-done
	}
}

// cpuTime returns the user and system CPU time pid has used, from
// /proc/<pid>/stat (in clock ticks of 10 ms).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// peakRSS reads VmHWM of pid, or of its one child when pid is taskset
// that has exec'd (it keeps the pid, so this is the server itself).
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for pid %d", pid)
}

// row is one line of the table: medians over rounds of per-round ratios.
type row struct {
	s                  *server
	rps                float64
	ratio, lo, hi      float64 // req/s over the baseline's, same round
	p50, p99           time.Duration
	p50r, p99r         float64 // latency over the baseline's (lower is better)
	rss                float64 // MiB over the baseline's peak RSS, median
	baseName           string
	cpu                time.Duration
	cpuR, cpuLo, cpuHi float64 // server CPU per request over the baseline's
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func table(all []*server, bases map[string]*server, res map[*server][]sample) []row {
	var rows []row
	for _, s := range all {
		b := bases[s.base]
		var rps, ratio, p50, p99, p50r, p99r, rss, cpu, cpuR []float64
		for i, x := range res[s] {
			y := res[b][i]
			rps = append(rps, x.rps)
			ratio = append(ratio, x.rps/y.rps)
			p50 = append(p50, float64(x.p50))
			p99 = append(p99, float64(x.p99))
			p50r = append(p50r, float64(x.p50)/float64(y.p50))
			p99r = append(p99r, float64(x.p99)/float64(y.p99))
			rss = append(rss, float64(x.hwm-y.hwm)/(1<<20))
			cpu = append(cpu, float64(x.cpu))
			cpuR = append(cpuR, float64(x.cpu)/float64(y.cpu))
		}
		rows = append(rows, row{s: s, rps: median(rps), ratio: median(ratio), lo: slices.Min(ratio), hi: slices.Max(ratio),
			p50: time.Duration(median(p50)), p99: time.Duration(median(p99)), p50r: median(p50r), p99r: median(p99r),
			rss: median(rss), baseName: b.name,
			cpu: time.Duration(median(cpu)), cpuR: median(cpuR), cpuLo: slices.Min(cpuR), cpuHi: slices.Max(cpuR)})
	}
	return rows
}

const (
	begin = "<!-- bench/run: begin (generated, do not edit) -->"
	end   = "<!-- bench/run: end -->"
)

func render(rows []row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nGenerated by `bench/run%s` on %s: %d interleaved rounds of `wrk -t1 -c%d -d%v` (after a %v warm-up), server on CPU %s, wrk on CPU %s.\n",
		begin, *invocation, time.Now().UTC().Format("2006-01-02 15:04 MST"), *rounds, *conns, *duration, *warmup, *serverCPU, *wrkCPU)
	b.WriteString("Each ratio is the median over rounds of the server's figure over its baseline's in the same round (a bare `net/http` handler, or for the gin row a bare gin engine's route, writing the same body and header fields); the range is the lowest and highest round. Server CPU per request is the server's user+system time (from /proc, 10 ms ticks) over the requests wrk completed, a figure that other load on the machine disturbs less than req/s; it and the latency ratios are lower-is-better. Peak RSS is VmHWM minus the baseline's.\n\n")
	b.WriteString("| what | server | req/s | req/s ratio (range) | target | CPU µs/req (× base, range) | p50 (× base) | p99 (× base) | peak RSS over base |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %.0f | **%.2f** (%.2f–%.2f) | %s | %.1f (%.2f, %.2f–%.2f) | %v (%.2f) | %v (%.2f) | %+.1f MiB |\n",
			r.s.row, r.s.name, r.rps, r.ratio, r.lo, r.hi, r.s.goal, float64(r.cpu)/1e3, r.cpuR, r.cpuLo, r.cpuHi,
			r.p50.Round(time.Microsecond), r.p50r, r.p99.Round(time.Microsecond), r.p99r, r.rss)
	}
	fmt.Fprintf(&b, "\n![req/s as a share of the bare handler](benchmarks.svg)\n\n%s\n", end)
	return b.String()
}

func splice(path, md string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(old)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %q … %q section to replace", path, begin, end)
	}
	s = s[:i] + md + s[j+len(end)+1:]
	return os.WriteFile(path, []byte(s), 0o644)
}

// chart draws one bar per row: the median ratio, a whisker from the
// lowest to the highest round, a line at 1.0 and a tick at the target.
func chart(rows []row) []byte {
	const (
		left, barH, gap, width = 720, 18, 8, 1160
		scaleMax               = 1.2
	)
	plot := float64(width - left - 60)
	x := func(v float64) float64 { return left + plot*min(v, scaleMax)/scaleMax }
	h := 50 + len(rows)*(barH+gap) + 30
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="10" y="20" font-size="14">req/s as a share of the bare handler in the same round (median, range over rounds)</text>`+"\n")
	for i, r := range rows {
		y := 40 + i*(barH+gap)
		fill := "#9aa5b1"
		if strings.HasPrefix(r.s.name, "ours") {
			fill = "#2b6cb0"
		}
		label := strings.NewReplacer("`", "").Replace(r.s.row) + " — " + r.s.name
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-6, y+barH-5, html.EscapeString(label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", left, y, x(r.ratio)-left, barH, fill)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="black"/>`+"\n", x(r.lo), x(r.hi), y+barH/2, y+barH/2)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%.2f</text>`+"\n", x(max(r.ratio, r.hi))+4, y+barH-5, r.ratio)
		if g, ok := strings.CutPrefix(r.s.goal, "≥ "); ok {
			if v, err := strconv.ParseFloat(g, 64); err == nil {
				fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#c53030" stroke-width="2"/>`+"\n", x(v), x(v), y-2, y+barH+2)
			}
		}
	}
	y1 := 40 + len(rows)*(barH+gap)
	for _, v := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="34" y2="%d" stroke="#444" stroke-dasharray="3,3"/><text x="%.1f" y="%d" text-anchor="middle">%.1f</text>`+"\n", x(v), x(v), y1, x(v), y1+14, v)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#c53030">red tick: target</text>`+"\n", left, y1+28)
	b.WriteString("</svg>\n")
	return b.Bytes()
}
