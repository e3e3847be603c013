INSERT INTO part_db.events
  SELECT '2023-06-01'::date + (n % 900), n % 2000, 'note-' || (n % 3000)
  FROM generate_series(1, 30000) n;
