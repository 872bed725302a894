-- The built-in functions a tenant-scoped SQLite statement may call without declaring them:
-- those that compute only from their arguments and the current row.
--
-- Output: one line per name, sorted; `name set-returning` for the table-valued functions that
-- may stand in FROM. tenant-query-core/data/functions/sqlite.txt is this output under a
-- header, run on the SQLite that sqlx bundles; the test `function_lists` of
-- tenant-query-tests checks it.
WITH
-- Scalar functions flagged SQLITE_DETERMINISTIC (0x800), and aggregate and window functions,
-- which read only their rows. `sqlite_*` functions report on the library and `likelihood`
-- and the like only hint the planner, but none reads stored data; they are still left out.
catalogue(name) AS (
    SELECT name FROM pragma_function_list
    WHERE builtin = 1
      AND ((type = 's' AND flags & 0x800 <> 0) OR type IN ('a', 'w'))
      AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
      AND name NOT IN ('->', '->>', 'load_extension', 'sqlite_log')
),
-- Functions without the flag, reviewed one by one: they read the clock or a random source.
reviewed_volatile(name) AS (
    VALUES ('current_date'), ('current_time'), ('current_timestamp'), ('random'),
        ('randomblob')
),
-- Table-valued functions over their arguments alone (`dbstat`, `fsdir` and the like read the
-- database file or the file system).
table_valued(name) AS (
    VALUES ('json_each'), ('json_tree')
)
SELECT name FROM catalogue
UNION
SELECT name FROM reviewed_volatile
    WHERE name IN (SELECT name FROM pragma_function_list)
UNION
SELECT name || ' set-returning' FROM table_valued
    WHERE name IN (SELECT name FROM pragma_module_list)
ORDER BY 1;
