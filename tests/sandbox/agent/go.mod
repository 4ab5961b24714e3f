module example.com/ctagent

go 1.19
