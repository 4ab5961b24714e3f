module example.com/ctdriver

go 1.19
