INSERT INTO basic_db.all_types VALUES
(1, -32768, -2147483648, -9223372036854775808,
 '-123456789012345678901234567890.123456789012345678901234567890', 1234567890.0123456789, 3.4028235e38, 1.7976931348623157e308,
 true, E'text with \\ backslash, \t tab, \n newline, \r cr, '' quote, "dq"', 'varchar ünï', 'char', '\x00ff5c0a09'::bytea,
 '4713-01-01 BC', '24:00:00', '23:59:59.999999+14:59', '294276-12-31 23:59:59.999999', '1970-01-01 00:00:00.000001+00',
 '178000000 years 11 mons -3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1,  "a": [1, 2.50, null]}', '{"b": 1, "a": [1, 2.50, null, "ü"]}',
 '2001:db8::1/64', '10.0.0.0/8', '08:00:2b:01:02:03',
 '{1, NULL, -3}', '{"a,b", "c\"d", NULL, "", "NULL"}', '{1.5, NaN, -0.0001}', '{"\\x00", NULL}', '{"2024-01-01 00:00:00+00"}',
 '{{1,2},{3,4}}', 'ecstatic', '{sad,happy}', B'10101010', B'101',
 '(1.5,-2.25)', 12345.67, '<a x="1">text</a>', 'a fat cat:2 sat', '[1,10)'),
(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(3, 32767, 2147483647, 9223372036854775807, 'NaN', 0, 'NaN', 'Infinity',
 false, '', '', '', '\x'::bytea, 'infinity', '00:00:00', '00:00:00-15:59', '-infinity', 'infinity',
 '0', '00000000-0000-0000-0000-000000000000', 'null', '[]', '0.0.0.0', '::/0', 'ff:ff:ff:ff:ff:ff',
 '{}', '{}', '{}', '{}', '{}', '{}', 'sad', '{}', B'00000000', B'', '(0,0)', 0, '', '', 'empty'),
(4, 0, 0, 0, '-0.0000000000000000000000000001', -1e-10, '-Infinity', '-Infinity',
 true, 'emoji 😀 𝄞', 'Ω≈ç√', 'x', '\xdeadbeef'::bytea, '2024-02-29', '12:34:56.5', '12:34:56.5+05:30', '2024-02-29 12:00:00.5', '2024-03-31 02:30:00.25+02',
 '-1 days -00:00:00.000001', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '"string"', '{"nested": {"deep": [true, false]}}', '192.168.1.1', '192.168.0.0/16', '00:00:00:00:00:00',
 '{2147483647}', '{"with space", "tab\there"}', '{NaN}', '{"\\xff"}', '{"infinity"}', '{{NULL,NULL}}', 'ok', '{ok,ok}', B'11111111', B'11111111111111111111',
 '(-0,1e-300)', -0.01, '<empty/>', '''quoted'' words', 'empty'),
(5, 1, 2, 3, 1e-20, 0.0000000001, 1.17549435e-38, 5e-324, false, 'x', 'y', 'z', '\x01'::bytea, '0001-01-01', '00:00:00.000001', '00:00:00+00',
 '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '1 year', '12345678-1234-1234-1234-123456789abc', '1', '2', '::1', '::1/128', '01:02:03:04:05:06',
 '{0}', '{a}', '{0}', '{"\\x"}', '{"-infinity"}', '{{0}}', 'happy', '{}', B'00000001', B'1', '(1,1)', 1, '<b/>', 'b', '(,)');

INSERT INTO basic_db.uk_only VALUES ('apple', '1'), ('Banana', '2'), ('cherry', '3'), ('Äpfel', '4'), ('zebra', '5'), ('Zulu', '6'),
 ('éclair', '7'), ('b', '8'), ('_under', '9'), ('0zero', '10'), ('Ölfass', '11'), ('aardvark', '12'), ('ß', '13'), ('a b', '14'), ('a-b', '15'), ('ab', '16');
INSERT INTO basic_db.nullable_uk VALUES (1, 'a'), (NULL, 'b'), (NULL, 'b'), (2, NULL);
INSERT INTO basic_db.composite_pk VALUES (1, 'a', 1.5), (1, 'b', NULL), (2, 'a', -0.0), (2, 'B', 1e100), (3, '', 'NaN');
INSERT INTO basic_db.no_key VALUES (1, 'dup', '\x00'), (1, 'dup', '\x00'), (NULL, NULL, NULL), (NULL, NULL, NULL), (2, E'x\ty', '\x5c');
INSERT INTO basic_db.uuid_pk SELECT md5(n::text)::uuid, n FROM generate_series(1, 50) n;
INSERT INTO basic_db.bytea_pk VALUES ('\x00', 1), ('\x0000', 2), ('\x01', 3), ('\xff', 4), ('\xffff', 5), ('\x7f', 6), ('\x80', 7), ('\x', 8), ('\x5c', 9), ('\x0a', 10);
INSERT INTO basic_db.tstz_pk SELECT '2024-01-01 00:00:00+00'::timestamptz + n * interval '1 hour 0.000001 sec', n FROM generate_series(-20, 20) n;
INSERT INTO basic_db.numeric_pk VALUES ('NaN', 1), (-1e20, 2), (0, 3), (0.000000000001, 4), (123456789012345678901234567890, 5), (-0.5, 6), (1.10, 7), (1.2, 8);
INSERT INTO basic_db.enum_pk VALUES ('ecstatic', 1), ('sad', 2), ('happy', 3), ('ok', 4);
INSERT INTO basic_db.identity_pk (v) VALUES ('one'), ('two'), (NULL), ('four');
INSERT INTO basic_db.many_rows SELECT n, n % 97, 'row-' || n FROM generate_series(1, 2500) n;
INSERT INTO "test_db_*.*"."resume_table_*$4" VALUES (1, 'one'), (2, 'two'), (3, NULL), (-1, 'minus');
