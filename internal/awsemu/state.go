package awsemu

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// State is the scenario the emulator serves, as written in a state file.
type State struct {
	// Callers are Reckon's own credentials: the principals allowed to call
	// STS AssumeRole. Their Account is the one a role's trust policy names.
	Callers []Caller `json:"callers"`
	// ManagementAccount is the customer's payer account.
	ManagementAccount string `json:"managementAccount"`
	// Accounts are the organisation's accounts, management account included.
	Accounts []Account `json:"accounts"`
	// Roles Reckon may assume, with their trust and permissions policies.
	Roles []Role `json:"roles"`
	// Reports are the CUR report definitions of the management account.
	Reports []ReportDefinition `json:"reports"`
	// Buckets map bucket names to local folders holding their objects.
	Buckets []Bucket `json:"buckets"`
}

// Caller is a long-lived access key of the account that runs Reckon.
type Caller struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	Account         string `json:"account"`
}

// Account is an AWS Organizations account.
type Account struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	State  string `json:"state"`  // ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED
	Joined int64  `json:"joined"` // epoch seconds
}

// Role is an IAM role in the management account.
type Role struct {
	ARN         string          `json:"arn"`
	TrustPolicy json.RawMessage `json:"trustPolicy"`
	Policies    []Policy        `json:"policies"` // attached managed policies
}

// Policy is a managed policy with its default version's document.
type Policy struct {
	ARN      string          `json:"arn"`
	Name     string          `json:"name"`
	Document json.RawMessage `json:"document"`
}

// ReportDefinition is a CUR report definition, in the API's field names.
type ReportDefinition struct {
	ReportName               string   `json:"ReportName"`
	TimeUnit                 string   `json:"TimeUnit"`
	Format                   string   `json:"Format"`
	Compression              string   `json:"Compression"`
	AdditionalSchemaElements []string `json:"AdditionalSchemaElements"`
	S3Bucket                 string   `json:"S3Bucket"`
	S3Prefix                 string   `json:"S3Prefix"`
	S3Region                 string   `json:"S3Region"`
	AdditionalArtifacts      []string `json:"AdditionalArtifacts,omitempty"`
	RefreshClosedReports     bool     `json:"RefreshClosedReports"`
	ReportVersioning         string   `json:"ReportVersioning"`
}

// Bucket is an S3 bucket whose objects are the files under Dir.
type Bucket struct {
	Name string `json:"name"`
	Dir  string `json:"dir"`
}

// LoadState reads a state file, JSON or (by its .yaml or .yml name) YAML.
// A bucket's relative Dir is relative to the file's folder.
func LoadState(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read state file: %w", err)
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".yaml" || ext == ".yml" {
		// YAML becomes JSON first, so one set of field names serves both and
		// policy documents stay JSON.
		if data, err = yaml.YAMLToJSON(data); err != nil {
			return nil, fmt.Errorf("state file %s: %w", path, err)
		}
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	for i, b := range s.Buckets {
		if !filepath.IsAbs(b.Dir) {
			s.Buckets[i].Dir = filepath.Join(filepath.Dir(path), b.Dir)
		}
	}
	return &s, s.validate()
}

func (s *State) validate() error {
	if len(s.Callers) == 0 {
		return fmt.Errorf("state: no callers: list Reckon's access keys under \"callers\"")
	}
	if s.ManagementAccount == "" {
		return fmt.Errorf("state: managementAccount is empty")
	}
	return nil
}

// docText returns a policy document written in the state file either as a
// JSON object or as a string holding one.
func docText(raw json.RawMessage) string {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
