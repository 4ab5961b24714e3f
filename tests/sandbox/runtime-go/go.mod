module example.com/ctruntime

go 1.19
