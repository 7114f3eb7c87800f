module github.com/alloy-deploy/tools/registry

go 1.22
