INSERT INTO route_json_1.one_pk SELECT n, ('a-' || n) FROM generate_series(1, 20000) n;
INSERT INTO route_json_1.keyless SELECT n % 300, ('k-' || n % 700) FROM generate_series(1, 5000) n;
INSERT INTO route_json_2.one_pk SELECT n, ('b-' || n) FROM generate_series(1, 5000) n;
INSERT INTO route_json_2.other SELECT n, ('o-' || n) FROM generate_series(1, 100) n;
INSERT INTO route_json_3.one_pk SELECT n, ('c-' || n) FROM generate_series(1, 20000) n;
INSERT INTO route_json_3.keyless SELECT n % 300, ('k-' || n % 700) FROM generate_series(1, 5000) n;
INSERT INTO route_json_3.other SELECT n % 70, ('p-' || n), n FROM generate_series(1, 5000) n;
