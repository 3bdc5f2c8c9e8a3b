module github.com/kubefingerprint/kubefingerprint

go 1.26.8

require (
	github.com/buger/jsonparser v1.6.1
	github.com/stretchr/testify v1.12.1
	golang.org/x/term v0.48.0
	golang.org/x/text v0.44.0
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
