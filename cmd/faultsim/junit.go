package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/faultsim/faultsim/scenarios"
)

// The JUnit XML of run --junit: one testsuite named "faultsim run", a
// testcase per scenario file (name: the file's path as run found it;
// classname: model.variant), a <failure> when the outcome does not match the
// expect and an <error> when the file could not be read or run. It carries
// every element and attribute Apache Ant's JUnit schema requires (the one CI
// systems read), empty ones included.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string      `xml:"name,attr"`
	ID         int         `xml:"id,attr"`
	Package    string      `xml:"package,attr"`
	Tests      int         `xml:"tests,attr"`
	Failures   int         `xml:"failures,attr"`
	Errors     int         `xml:"errors,attr"`
	Skipped    int         `xml:"skipped,attr"`
	Time       string      `xml:"time,attr"`
	Timestamp  string      `xml:"timestamp,attr"`
	Hostname   string      `xml:"hostname,attr"`
	Properties struct{}    `xml:"properties"`
	Cases      []junitCase `xml:"testcase"`
	SystemOut  string      `xml:"system-out"`
	SystemErr  string      `xml:"system-err"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

// junitProblem is a <failure> or an <error>: a one-line message, a type and
// the details as text.
type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitReport collects run's outcomes into a JUnit file written at the end.
type junitReport struct {
	file  *outputFile
	start time.Time
	suite junitSuite
}

// newJUnitReport opens path for writing before any scenario runs.
func newJUnitReport(path string) (*junitReport, error) {
	f, err := createOutput("JUnit report", path, "an XML file name")
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname() // informative only; the schema wants the attribute
	now := time.Now()
	return &junitReport{file: f, start: now, suite: junitSuite{Name: "faultsim run", Package: "faultsim",
		Timestamp: now.UTC().Format("2006-01-02T15:04:05"), Hostname: host}}, nil
}

func seconds3(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func (r *junitReport) outcome(file string, s *scenarios.Scenario, o scenarios.Outcome, took time.Duration) {
	c := junitCase{Name: file, Classname: s.Model + "." + s.Variant, Time: seconds3(took)}
	if !o.OK {
		var details strings.Builder
		for _, v := range o.Result.Violations {
			details.WriteString(v.String() + "\n")
		}
		c.Failure = &junitProblem{Message: fmt.Sprintf("expect %s, got %s", s.Expect, o.Got), Type: "outcome-mismatch", Text: details.String()}
		r.suite.Failures++
	}
	r.suite.Tests++
	r.suite.Cases = append(r.suite.Cases, c)
}

func (r *junitReport) bad(file string, took time.Duration, err error) {
	r.suite.Tests++
	r.suite.Errors++
	r.suite.Cases = append(r.suite.Cases, junitCase{Name: file, Classname: "faultsim.scenario-file", Time: seconds3(took),
		Error: &junitProblem{Message: err.Error(), Type: "bad-scenario-file", Text: err.Error()}})
}

// write renders the report and renames it into place.
func (r *junitReport) write() error {
	r.suite.Time = seconds3(time.Since(r.start))
	doc := junitSuites{Name: r.suite.Name, Tests: r.suite.Tests, Failures: r.suite.Failures, Errors: r.suite.Errors,
		Time: r.suite.Time, Suites: []junitSuite{r.suite}}
	return r.file.commit(func(w io.Writer) error {
		if _, err := io.WriteString(w, xml.Header); err != nil {
			return err
		}
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return err
		}
		_, err := io.WriteString(w, "\n")
		return err
	})
}
