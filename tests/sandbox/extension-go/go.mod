module example.com/ctext

go 1.19
