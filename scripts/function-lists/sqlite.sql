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
-- The math functions, which SQLite has only when built with SQLITE_ENABLE_MATH_FUNCTIONS
-- (the SQLite that sqlx bundles is not; a system SQLite often is).
optional_math(name) AS (
    VALUES ('acos'), ('acosh'), ('asin'), ('asinh'), ('atan'), ('atan2'), ('atanh'), ('ceil'),
        ('ceiling'), ('cos'), ('cosh'), ('degrees'), ('exp'), ('floor'), ('ln'), ('log'),
        ('log10'), ('log2'), ('mod'), ('pi'), ('pow'), ('power'), ('radians'), ('sin'),
        ('sinh'), ('sqrt'), ('tan'), ('tanh'), ('trunc')
),
-- Table-valued functions over their arguments alone, built into SQLite since 3.38 and not
-- listed by `PRAGMA module_list` (`dbstat`, `fsdir` and the like read the database file or
-- the file system).
table_valued(name) AS (
    VALUES ('json_each'), ('json_tree')
)
SELECT name FROM catalogue
UNION
SELECT name FROM reviewed_volatile
    WHERE name IN (SELECT name FROM pragma_function_list)
UNION
SELECT name FROM optional_math
UNION
SELECT name || ' set-returning' FROM table_valued
ORDER BY 1;
