module smsmfa

go 1.26.0
