module example.com/reference

go 1.19
