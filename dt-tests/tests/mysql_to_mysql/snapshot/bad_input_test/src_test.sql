INSERT INTO bad_input_db.a_present VALUES (1, 'a'), (2, 'b'), (3, 'c');
INSERT INTO bad_input_db.b_missing_in_target VALUES (1, 'a'), (2, 'b');
