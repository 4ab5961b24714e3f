module example.com/cthttpserver

go 1.19
