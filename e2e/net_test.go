package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"goc.dev/shared/network"
	"goc.dev/shared/network/ipam"
)

// httpget URL prints the body of a GET (5 s at most); it fails on any
// error or a status other than 200.
func httpget() {
	if len(os.Args) != 2 {
		fatalf("usage: httpget url")
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := c.Get(os.Args[1])
	if err != nil {
		fatalf("httpget: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Print(string(b))
	if resp.StatusCode != http.StatusOK {
		fatalf("httpget: %s", resp.Status)
	}
}

// parallel N CMD… runs N copies of CMD at once and prints each one's
// output, then "distinct: K", the number of different outputs. It fails
// if any copy fails.
func parallel() {
	if len(os.Args) < 3 {
		fatalf("usage: parallel n cmd [args…]")
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fatalf("parallel: %v", err)
	}
	outs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b, err := exec.Command(os.Args[2], os.Args[3:]...).CombinedOutput()
			outs[i], errs[i] = strings.TrimSpace(string(b)), err
		}(i)
	}
	wg.Wait()
	distinct := map[string]bool{}
	failed := false
	for i, o := range outs {
		fmt.Println(o)
		distinct[o] = true
		if errs[i] != nil {
			fmt.Fprintf(os.Stderr, "copy %d: %v\n", i, errs[i])
			failed = true
		}
	}
	fmt.Printf("distinct: %d\n", len(distinct))
	if failed {
		os.Exit(1)
	}
}

// leases BRIDGE prints the bridge's leases, "IP SHORT-ID" per line.
func leases() {
	if len(os.Args) != 2 {
		fatalf("usage: leases bridge")
	}
	s, err := ipam.Store{Path: filepath.Join(network.DefaultStateDir, os.Args[1]+".json")}.Read()
	if err != nil && !os.IsNotExist(err) {
		fatalf("leases: %v", err)
	}
	for _, l := range s.Leases {
		fmt.Println(l.IP, l.Owner.ID[:12])
	}
}

// rmbridge BRIDGE deletes a bridge a scenario made, with its NAT rules and
// leases.
func rmbridge() {
	if len(os.Args) != 2 {
		fatalf("usage: rmbridge bridge")
	}
	if err := network.RemoveBridge(network.DefaultStateDir, os.Args[1]); err != nil {
		fatalf("rmbridge: %v", err)
	}
}

// nftags prints goC's NAT rules as "CHAIN TAG".
func nftags() {
	tags, err := network.RuleTags()
	if err != nil {
		fatalf("nftags: %v", err)
	}
	for _, t := range tags {
		fmt.Println(t)
	}
}

// listen PORT holds a TCP port on the host until killed.
func listen() {
	if len(os.Args) != 2 {
		fatalf("usage: listen port")
	}
	l, err := net.Listen("tcp", ":"+os.Args[1])
	if err != nil {
		fatalf("listen: %v", err)
	}
	fmt.Println("listening")
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

// vethsgone FILE checks, for each line "HOSTNAME …" of FILE (a container's
// default hostname is its short ID), that its veth goC<ID> is gone. The
// kernel removes a veth pair with its network namespace, asynchronously,
// a moment after the container's last process: allow it 10 seconds.
func vethsgone() {
	if len(os.Args) != 2 {
		fatalf("usage: vethsgone file")
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fatalf("vethsgone: %v", err)
	}
	sc := bufio.NewScanner(f)
	checked, left := 0, 0
	deadline := time.Now().Add(10 * time.Second)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || len(fields[0]) != 12 {
			continue
		}
		checked++
		for {
			if _, err := net.InterfaceByName("goC" + fields[0]); err != nil {
				break
			}
			if time.Now().After(deadline) {
				fmt.Println("left behind: goC" + fields[0])
				left++
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	fmt.Printf("checked %d veths\n", checked)
	if left > 0 || checked == 0 {
		os.Exit(1)
	}
}

// udpget ADDR MSG sends MSG in one datagram and prints the first answer
// (3 s at most, trying a few times: a UDP server may not listen yet).
func udpget() {
	if len(os.Args) != 3 {
		fatalf("usage: udpget host:port message")
	}
	c, err := net.Dial("udp", os.Args[1])
	if err != nil {
		fatalf("udpget: %v", err)
	}
	defer c.Close()
	buf := make([]byte, 1500)
	for i := 0; i < 6; i++ {
		if _, err := c.Write([]byte(os.Args[2] + "\n")); err != nil {
			fatalf("udpget: %v", err)
		}
		c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		if n, err := c.Read(buf); err == nil {
			fmt.Print(string(buf[:n]))
			return
		}
	}
	fatalf("udpget: no answer from %s", os.Args[1])
}

// udpecho PORT answers every datagram on PORT with "pong" (copied into a
// rootfs, it is the container's UDP server: busybox has none).
func udpecho() {
	if len(os.Args) != 2 {
		fatalf("usage: udpecho port")
	}
	c, err := net.ListenPacket("udp", ":"+os.Args[1])
	if err != nil {
		fatalf("udpecho: %v", err)
	}
	// As a container's PID 1 it gets TERM only if it handles it.
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	go func() { <-term; os.Exit(0) }()
	fmt.Println("ready")
	buf := make([]byte, 1500)
	for {
		_, from, err := c.ReadFrom(buf)
		if err != nil {
			fatalf("udpecho: %v", err)
		}
		c.WriteTo([]byte("pong\n"), from)
	}
}
