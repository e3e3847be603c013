INSERT INTO basic_db.all_types VALUES
(1, -128, 255, 1, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
 '-12345678901234567890123456789012345.123456789012345678901234567890', 999.99,
 3.1415927, 2.718281828459045, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
 '2024-02-29', '-838:59:59', '838:59:59.999999', '9999-12-31 23:59:59', '1000-01-01 00:00:00.000001',
 '1970-01-01 00:00:01', '2038-01-19 03:14:07.999999', 2155,
 'char  ', 'varchar with \'quote\' and \\ backslash', 'café déjà vu ÿ', '中文字符', 'tiny', 'text\nwith\nnewlines\t', REPEAT('m', 70000), REPEAT('long ', 100000),
 x'0001020304050607', x'00FF00FF', x'', x'DEADBEEF', REPEAT(x'AB', 100000), REPEAT(x'00', 1000),
 'large', 'a,c,d', '{"a": [1, 2.5, "x", null, true], "b": {"c": "ü"}}'),
(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b'0', b'0',
 '0000-00-00', '00:00:00', '-00:00:00.000001', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000000',
 '0000-00-00 00:00:00', '0000-00-00 00:00:00.000000', 0,
 '', '', '', '', '', '', '', '', x'0000000000000000', x'', x'', x'', x'', x'', 'small', '', '[]'),
(4, 127, 1, 0, 32767, 1, 8388607, 1, 2147483647, 1, 9223372036854775807, 1,
 '0.000000000000000000000000000001', 0.01,
 -1.17549435e-38, -1.7976931348623157e308, b'0', b'1000000000000000000000000000000000000000000000000000000000000001',
 '1000-01-01', '12:34:56', '00:00:00.5', '2000-02-29 12:00:00', '2024-06-30 23:59:59.5',
 '2024-03-31 02:30:00', '2024-10-27 01:30:00.25', 1901,
 'Ω≈ç√', '😀 emoji 𝄞', 'ÀÁÂÃÄÅ', '汉字测试', 'x', 'y', 'z', 'w', x'FFFFFFFFFFFFFFFF', x'00', x'01', x'02', x'03', x'04',
 'small', '', '"just a string"'),
(5, 1, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10, '1e-10', 1.5, 1e-45, 5e-324, b'1', b'0101',
 '2000-01-01', '00:00:01', '00:00:00.000001', '2000-01-01 00:00:00', '2000-01-01 00:00:00.000000',
 '2000-01-01 00:00:00', '2000-01-01 00:00:00.000000', 2000,
 'trailing   ', ' leading', 'mixed CASE', '简体', NULL, '', NULL, '', NULL, '', NULL, '', NULL, '', 'medium', 'b', '{}');

INSERT INTO basic_db.uk_only VALUES ('apple', '1'), ('Banana', '2'), ('cherry', '3'), ('Äpfel', '4'), ('zebra', '5'),
 ('Zulu', '6'), ('éclair', '7'), ('b', '8'), ('_under', '9'), ('0zero', '10'), ('Ölfass', '11'), ('aardvark', '12'),
 ('ß', '13'), ('mango', '14'), ('MANGOES', '15'), ('n', '16'), ('Ñandu', '17');

INSERT INTO basic_db.nullable_uk VALUES (1, 'a'), (NULL, 'b'), (NULL, 'b'), (2, NULL);

INSERT INTO basic_db.composite_pk VALUES (1, 'a', 1.5), (1, 'b', NULL), (2, 'a', -0.0), (2, 'B', 1e100), (3, '', 0);

INSERT INTO basic_db.no_key VALUES (1, 'dup', x'00'), (1, 'dup', x'00'), (NULL, NULL, NULL), (NULL, NULL, NULL), (2, 'x', REPEAT(x'11', 5000));

INSERT INTO basic_db.binary_pk VALUES (x'00', 1), (x'0000', 2), (x'01', 3), (x'FF', 4), (x'FFFF', 5), (x'7F', 6), (x'80', 7), (x'41', 8), (x'61', 9), (x'', 10);

INSERT INTO basic_db.unsigned_pk VALUES (0, 'zero'), (1, 'one'), (9223372036854775807, 'i64max'), (9223372036854775808, 'above'), (18446744073709551615, 'u64max');

INSERT INTO basic_db.datetime_pk VALUES ('1000-01-01 00:00:00', 1), ('2024-01-01 00:00:00.000001', 2), ('2024-01-01 00:00:00.5', 3), ('9999-12-31 23:59:59.999999', 4);

INSERT INTO basic_db.decimal_pk VALUES (-99999.5, 1), (0, 2), (0.00001, 3), (123456789012345.12345, 4), (-0.00001, 5);

INSERT INTO basic_db.latin1_pk VALUES ('a', 1), ('B', 2), ('ä', 3), ('z', 4), ('Ö', 5), ('å', 6);

SET SESSION max_recursive_iterations = 100000;
INSERT INTO basic_db.many_rows (k, c) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2500)
  SELECT n % 97, CONCAT('row-', n) FROM s;

INSERT INTO `test_db_@`.`resume_table_*$4` VALUES (1, 'one'), (2, 'two'), (3, NULL), (-1, 'minus');

INSERT INTO basic_db.enum_pk VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4), ('e', 5), ('f', 6), ('g', 7), ('h', 8), ('i', 9);
