//! Statements that every dialect runs the same way. Placeholders are written `?` and become
//! `$n` for PostgreSQL. Dialect-specific statements live with each dialect's tests.

use tenant_query_core::Dialect;

use crate::fixture::Val;
use crate::oracle::Case;

/// Queries valid on PostgreSQL, MariaDB and SQLite.
pub fn common_selects(dialect: Dialect) -> Vec<Case> {
    let int = Val::Int;
    vec![
        Case::select("plain scan", "SELECT id, name, country_code, manager_id FROM users"),
        Case::select(
            "WHERE with arguments",
            "SELECT id, total FROM orders WHERE total > ? AND status <> ?",
        )
        .args(vec![int(25), Val::text("new")]),
        Case::select(
            "OR in WHERE needs parentheses",
            "SELECT id, status FROM orders WHERE status = 'new' OR total > 40",
        ),
        Case::select(
            "OR and AND without parentheses",
            "SELECT id FROM orders WHERE status = 'paid' OR status = 'new' AND total < 30",
        ),
        Case::select(
            "comma join",
            "SELECT o.id, c.name FROM orders o, customers c WHERE o.customer_id = c.id",
        ),
        Case::select(
            "comma join with a global table",
            "SELECT c.id, k.country_name FROM customers c, countries k \
             WHERE k.country_code = c.country_code",
        ),
        Case::select(
            "inner join",
            "SELECT o.id, c.name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id",
        ),
        Case::select(
            "three-table inner join",
            "SELECT u.name, g.name, m.role FROM users u \
             INNER JOIN memberships m ON m.user_id = u.id \
             INNER JOIN organizations g ON g.id = m.org_id",
        ),
        Case::select(
            "LEFT JOIN whose nullable side has other tenants' rows",
            "SELECT o.id, o.customer_id, c.name FROM orders o \
             LEFT JOIN customers c ON c.id = o.customer_id",
        ),
        Case::select(
            "LEFT JOIN anti-join",
            "SELECT o.id FROM orders o LEFT JOIN customers c ON c.id = o.customer_id \
             WHERE c.id IS NULL",
        ),
        Case::select(
            "LEFT JOIN with OR in ON",
            "SELECT o.id, c.id FROM orders o LEFT JOIN customers c \
             ON c.id = o.customer_id OR c.email = 'c2_1@example.test'",
        ),
        Case::select(
            "RIGHT JOIN",
            "SELECT c.id, c.name, o.id FROM orders o RIGHT JOIN customers c \
             ON c.id = o.customer_id",
        ),
        Case::select(
            "RIGHT JOIN anti-join",
            "SELECT c.id FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id \
             WHERE o.id IS NULL",
        ),
        Case::select(
            "LEFT JOIN chain",
            "SELECT u.id, m.org_id, g.name FROM users u \
             LEFT JOIN memberships m ON m.user_id = u.id \
             LEFT JOIN organizations g ON g.id = m.org_id",
        ),
        Case::select(
            "global table LEFT JOIN scoped table",
            "SELECT t.id, u.id FROM tenants t LEFT JOIN users u ON u.id = t.id",
        ),
        Case::select(
            "global LEFT JOIN global",
            "SELECT t.name, k.country_name FROM tenants t \
             LEFT JOIN countries k ON k.country_code = t.home_country",
        ),
        Case::select(
            "global table joined on the tenant column",
            "SELECT t.name, COUNT(u.id) FROM tenants t LEFT JOIN users u ON u.tenant_id = t.id \
             GROUP BY t.name",
        ),
        Case::select(
            "CROSS JOIN",
            "SELECT u.id, g.id FROM users u CROSS JOIN organizations g",
        ),
        Case::select(
            "CROSS JOIN with a global table",
            "SELECT u.id, k.country_code FROM users u CROSS JOIN countries k \
             WHERE u.country_code = k.country_code",
        ),
        Case::select(
            "NATURAL JOIN with a global table",
            "SELECT * FROM customers NATURAL JOIN countries",
        ),
        Case::select(
            "NATURAL JOIN of scoped tables with different tenant columns",
            "SELECT user_id, org_id, action FROM memberships NATURAL JOIN audit_log",
        ),
        Case::select(
            "JOIN USING of scoped tables",
            "SELECT user_id, m.org_id, a.action FROM memberships m JOIN audit_log a USING (user_id)",
        ),
        Case::select(
            "LEFT JOIN USING a global table",
            "SELECT u.id, k.country_name FROM users u LEFT JOIN countries k USING (country_code)",
        ),
        Case::select(
            "nested join on the nullable side",
            "SELECT u.id, m.org_id, g.name FROM users u \
             LEFT JOIN (memberships m JOIN organizations g ON g.id = m.org_id) ON m.user_id = u.id",
        ),
        Case::select(
            "derived table",
            "SELECT d.customer_id, d.n FROM \
             (SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id) d",
        ),
        Case::select(
            "derived table joined",
            "SELECT c.name, d.spent FROM customers c JOIN \
             (SELECT customer_id, SUM(total) AS spent FROM orders GROUP BY customer_id) d \
             ON d.customer_id = c.id",
        ),
        Case::select(
            "derived table LEFT JOINed",
            "SELECT c.id, d.n FROM customers c LEFT JOIN \
             (SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id) d \
             ON d.customer_id = c.id",
        ),
        Case::select(
            "scalar subquery in SELECT",
            "SELECT c.id, (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) AS n \
             FROM customers c",
        ),
        Case::select(
            "scalar subquery in WHERE",
            "SELECT id, total FROM orders WHERE total > (SELECT AVG(total) FROM orders)",
        ),
        Case::select(
            "scalar subquery in HAVING",
            "SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id \
             HAVING SUM(total) > (SELECT MIN(total) FROM orders) * 2",
        ),
        Case::select(
            "IN subquery in a LEFT JOIN's ON",
            "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id \
             AND c.id IN (SELECT customer_id FROM orders WHERE total > 40)",
        ),
        Case::select(
            "scalar subquery in ON",
            "SELECT u.id, g.id FROM users u JOIN organizations g \
             ON g.id = (SELECT MAX(m.org_id) FROM memberships m WHERE m.user_id = u.id)",
        ),
        Case::select(
            "EXISTS",
            "SELECT u.id FROM users u \
             WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)",
        ),
        Case::select(
            "NOT EXISTS",
            "SELECT g.id FROM organizations g \
             WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = g.id)",
        ),
        Case::select(
            "NOT EXISTS over a planted link",
            "SELECT m.user_id, m.org_id FROM memberships m \
             WHERE NOT EXISTS (SELECT 1 FROM organizations g WHERE g.id = m.org_id)",
        ),
        Case::select(
            "IN subquery",
            "SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders)",
        ),
        Case::select(
            "NOT IN subquery",
            "SELECT id FROM customers WHERE id NOT IN \
             (SELECT customer_id FROM orders WHERE customer_id IS NOT NULL)",
        ),
        Case::select(
            "NOT IN subquery over parents",
            "SELECT id FROM organizations WHERE id NOT IN \
             (SELECT parent_id FROM organizations WHERE parent_id IS NOT NULL)",
        ),
        Case::select(
            "IN subquery over a derived table",
            "SELECT id FROM customers WHERE id IN \
             (SELECT x.customer_id FROM (SELECT customer_id FROM orders WHERE total > 20) x)",
        ),
        Case::select(
            "CASE with EXISTS",
            "SELECT o.id, CASE WHEN EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id) \
             THEN 'items' ELSE 'empty' END FROM orders o",
        ),
        Case::select(
            "CTE",
            "WITH big AS (SELECT id, customer_id FROM orders WHERE total > 30) \
             SELECT b.id, c.name FROM big b LEFT JOIN customers c ON c.id = b.customer_id",
        ),
        Case::select(
            "CTE used twice",
            "WITH t AS (SELECT customer_id, total FROM orders) \
             SELECT a.customer_id, b.total FROM t a JOIN t b \
             ON a.customer_id = b.customer_id AND a.total < b.total",
        ),
        Case::select(
            "recursive CTE over a manager chain",
            "WITH RECURSIVE chain (id, depth) AS (\
             SELECT id, 0 FROM users WHERE manager_id IS NULL \
             UNION ALL \
             SELECT u.id, chain.depth + 1 FROM users u JOIN chain ON u.manager_id = chain.id \
             WHERE chain.depth < 8) \
             SELECT id, depth FROM chain",
        ),
        Case::select(
            "recursive CTE over an organization tree",
            "WITH RECURSIVE tree (id, root, depth) AS (\
             SELECT id, id, 0 FROM organizations WHERE parent_id IS NULL \
             UNION ALL \
             SELECT g.id, tree.root, tree.depth + 1 FROM tree \
             JOIN organizations g ON g.parent_id = tree.id WHERE tree.depth < 6) \
             SELECT t.id, t.root, g.name FROM tree t LEFT JOIN organizations g ON g.id = t.id",
        ),
        Case::select(
            "CTE whose name shadows a scoped table",
            "WITH customers AS (SELECT id, name FROM users) SELECT c.id, c.name FROM customers c",
        ),
        Case::select(
            "UNION",
            "SELECT id FROM users UNION SELECT id FROM customers",
        ),
        Case::select(
            "UNION ALL",
            "SELECT country_code FROM users UNION ALL SELECT country_code FROM customers",
        ),
        Case::select(
            "INTERSECT",
            "SELECT id FROM users INTERSECT SELECT customer_id FROM orders",
        ),
        Case::select(
            "EXCEPT",
            "SELECT id FROM customers EXCEPT SELECT customer_id FROM orders",
        ),
        Case::select(
            "EXCEPT from a global table",
            "SELECT country_code FROM countries EXCEPT SELECT country_code FROM customers",
        ),
        Case::select(
            "GROUP BY and HAVING",
            "SELECT status, COUNT(*), SUM(total), MAX(total) FROM orders GROUP BY status \
             HAVING COUNT(*) > 1",
        ),
        Case::select(
            "COUNT DISTINCT",
            "SELECT COUNT(DISTINCT customer_id), COUNT(*) FROM orders",
        ),
        Case::select(
            "aggregate without GROUP BY",
            "SELECT COUNT(*), MIN(id), MAX(name) FROM users",
        ),
        Case::select(
            "ORDER BY and LIMIT",
            "SELECT id, total FROM orders ORDER BY total DESC, id LIMIT 3",
        )
        .ordered(),
        Case::select(
            "LIMIT argument",
            "SELECT id FROM customers WHERE id > ? ORDER BY id LIMIT ?",
        )
        .args(vec![int(1), int(2)])
        .ordered(),
        Case::select(
            "window function",
            "SELECT id, ROW_NUMBER() OVER (ORDER BY total DESC, id) FROM orders",
        ),
        Case::select(
            "self join",
            "SELECT a.id, b.id FROM users a JOIN users b ON b.manager_id = a.id",
        ),
        Case::select(
            "table with its own tenant column",
            "SELECT id, action, user_id FROM audit_log",
        ),
        Case::select(
            "LEFT JOIN to the table with its own tenant column",
            "SELECT u.id, a.id FROM users u LEFT JOIN audit_log a ON a.user_id = u.id",
        ),
        Case::select(
            "global table only",
            "SELECT country_code, country_name FROM countries",
        ),
        Case::select(
            "IN list of arguments",
            "SELECT id, name FROM customers WHERE id IN (?, ?)",
        )
        .args(vec![int(1), int(4)]),
        Case::select("DISTINCT", "SELECT DISTINCT product FROM order_items"),
        Case::select(
            "LEFT JOIN from a planted item",
            "SELECT i.order_id, i.line_no, o.status FROM order_items i \
             LEFT JOIN orders o ON o.id = i.order_id",
        ),
    ]
    .into_iter()
    .chain(scoping_traps(dialect))
    .map(|c| c.for_dialect(dialect))
    .collect()
}

/// Queries where a tenant predicate is easy to put in the wrong place or forget.
fn scoping_traps(dialect: Dialect) -> Vec<Case> {
    let int = Val::Int;
    let mut cases = vec![
        Case::select(
            "LEFT JOIN then RIGHT JOIN: both left tables become nullable",
            "SELECT o.id, i.line_no, c.id FROM orders o \
             LEFT JOIN order_items i ON i.order_id = o.id \
             RIGHT JOIN customers c ON c.id = o.customer_id",
        ),
        Case::select(
            "INNER JOIN then RIGHT JOIN",
            "SELECT o.id, c.id, k.country_code FROM orders o \
             JOIN customers c ON c.id = o.customer_id \
             RIGHT JOIN countries k ON k.country_code = c.country_code",
        ),
        Case::select(
            "RIGHT JOIN then LEFT JOIN",
            "SELECT o.id, c.id, i.line_no FROM orders o \
             RIGHT JOIN customers c ON c.id = o.customer_id \
             LEFT JOIN order_items i ON i.order_id = o.id",
        ),
        Case::select(
            "CROSS JOIN then RIGHT JOIN",
            "SELECT u.id, g.id, c.id FROM users u CROSS JOIN organizations g \
             RIGHT JOIN customers c ON c.id = u.id AND g.id = 1",
        ),
        Case::select(
            "comma list with a RIGHT JOIN",
            "SELECT g.id, c.id, k.country_code FROM organizations g, customers c \
             RIGHT JOIN countries k ON k.country_code = c.country_code WHERE g.id = 1",
        )
        // SQLite binds the comma like JOIN, which makes `g` nullable there: refused.
        .may_reject(),
        Case::select(
            "LEFT JOIN of an inner join of outer joins",
            "SELECT u.id, m.org_id, g.id, a.id FROM users u \
             LEFT JOIN (memberships m LEFT JOIN organizations g ON g.id = m.org_id \
             JOIN audit_log a ON a.user_id = m.user_id) ON m.user_id = u.id",
        ),
        Case::select(
            "inner join on the nullable side's columns after a LEFT JOIN",
            "SELECT u.id, m.org_id, g.name FROM users u \
             LEFT JOIN memberships m ON m.user_id = u.id \
             JOIN organizations g ON g.id = m.org_id",
        ),
        Case::select(
            "LEFT JOIN USING a scoped derived table",
            "SELECT user_id, x.org_id FROM users u \
             JOIN memberships mm ON mm.user_id = u.id \
             LEFT JOIN (SELECT user_id, org_id FROM audit_log) x USING (user_id)",
        ),
        Case::select(
            "aliases that swap a scoped and a global table's names",
            "SELECT countries.id, orders.country_name FROM orders AS countries \
             JOIN countries AS orders ON orders.country_code = 'DE' WHERE countries.total > 20",
        ),
        Case::select(
            "NATURAL LEFT JOIN onto a scoped table",
            "SELECT user_id, org_id, action FROM memberships NATURAL LEFT JOIN audit_log",
        )
        .may_reject(),
        Case::select(
            "RIGHT JOIN USING with a global nullable side",
            "SELECT c.id, k.country_name FROM countries k RIGHT JOIN customers c USING (country_code)",
        )
        .may_reject(),
        Case::select(
            "derived table named like a scoped table",
            "SELECT orders.id FROM (SELECT id FROM customers) orders",
        ),
        Case::select(
            "inner alias shadowing the outer alias",
            "SELECT o.id FROM orders o \
             WHERE EXISTS (SELECT 1 FROM customers o WHERE o.id = 3)",
        ),
        Case::select(
            "unaliased table nested in itself",
            "SELECT id FROM orders WHERE customer_id IN (SELECT id FROM customers \
             WHERE customers.id IN (SELECT customer_id FROM orders WHERE total > 30))",
        ),
        Case::select(
            "CTE scoped to a subquery next to the real table",
            "SELECT x.id, c.name FROM \
             (WITH customers AS (SELECT 2 AS id) SELECT id FROM customers) x \
             JOIN customers c ON c.id = x.id",
        ),
        Case::select(
            "CTE in an IN subquery shadowing the outer table",
            "SELECT o.id FROM orders o \
             WHERE o.id IN (WITH orders AS (SELECT 1 AS id) SELECT id FROM orders)",
        ),
        Case::select(
            "nested WITH",
            "WITH a AS (WITH b AS (SELECT customer_id FROM orders) \
             SELECT customer_id, COUNT(*) AS n FROM b GROUP BY customer_id) \
             SELECT a.customer_id, a.n, c.name FROM a LEFT JOIN customers c ON c.id = a.customer_id",
        ),
        Case::select(
            "recursive CTE whose recursive term LEFT JOINs a scoped table",
            "WITH RECURSIVE chain (id, depth, org) AS (\
             SELECT id, 0, id - id FROM users WHERE manager_id IS NULL \
             UNION ALL \
             SELECT u.id, chain.depth + 1, COALESCE(m.org_id, -1) FROM chain \
             JOIN users u ON u.manager_id = chain.id \
             LEFT JOIN memberships m ON m.user_id = u.id AND m.role = 'guest' \
             WHERE chain.depth < 8) \
             SELECT id, depth, org FROM chain",
        ),
        Case::select(
            "recursive CTE named like a scoped table",
            "WITH RECURSIVE users (id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM users WHERE id < 3) \
             SELECT u.id, c.name FROM users u LEFT JOIN customers c ON c.id = u.id",
        ),
        Case::select(
            "derived table with ORDER BY and LIMIT",
            "SELECT x.id FROM (SELECT id FROM orders ORDER BY total DESC, id LIMIT 2) x",
        ),
        Case::select(
            "SELECT without FROM of scalar subqueries",
            "SELECT (SELECT COUNT(*) FROM orders), (SELECT MAX(id) FROM users)",
        ),
        Case::select(
            "subqueries in COALESCE, BETWEEN and CASE",
            "SELECT id, COALESCE((SELECT MAX(i.qty) FROM order_items i WHERE i.order_id = o.id), 0), \
             CASE WHEN total > (SELECT AVG(total) FROM orders) THEN 'high' ELSE 'low' END \
             FROM orders o WHERE total BETWEEN (SELECT MIN(total) FROM orders) \
             AND (SELECT MAX(total) FROM orders)",
        ),
        Case::select(
            "row value IN subquery",
            "SELECT user_id, org_id FROM memberships \
             WHERE (user_id, org_id) IN (SELECT a.user_id, a.org_id FROM audit_log a)",
        ),
        Case::select(
            "UNION inside a LEFT JOINed derived table",
            "SELECT c.id, x.id FROM customers c LEFT JOIN \
             (SELECT customer_id AS id FROM orders UNION SELECT id FROM users) x ON x.id = c.id",
        ),
        Case::select(
            "NOT with OR",
            "SELECT id FROM orders WHERE NOT (status = 'new' OR total > 40)",
        ),
        Case::select("WHERE of only constants", "SELECT id FROM users WHERE 1 = 1 OR 2 = 2"),
        Case::select(
            "arguments in SELECT, ON, WHERE, subquery, HAVING and LIMIT",
            "SELECT ?, o.id FROM orders o JOIN customers c ON c.id = o.customer_id AND c.name <> ? \
             WHERE o.total > (SELECT MIN(total) + ? FROM orders) \
             GROUP BY o.id HAVING COUNT(*) >= ? ORDER BY o.id LIMIT ?",
        )
        .args(vec![
            Val::text("tag"),
            Val::text("c1-2"),
            int(1),
            int(1),
            int(4),
        ])
        .ordered(),
    ];
    if dialect != Dialect::Sqlite {
        // SQLite lets a CTE read any sibling, earlier or later: there `orders` below is the
        // CTE (see the regression tests).
        cases.push(Case::select(
            "later CTE shadowing a table an earlier CTE reads",
            "WITH x AS (SELECT id FROM orders WHERE total > 30), orders AS (SELECT 1 AS id) \
             SELECT x.id, orders.id FROM x LEFT JOIN orders ON orders.id = x.id",
        ));
        cases.push(Case::select(
            "comparison with ALL and ANY",
            "SELECT id FROM orders WHERE total >= ALL (SELECT total FROM orders) \
             OR customer_id = ANY (SELECT id FROM customers WHERE name LIKE '%-3')",
        ));
    }
    cases
}

/// Data-changing statements valid on PostgreSQL, MariaDB and SQLite.
pub fn common_dml(dialect: Dialect) -> Vec<Case> {
    vec![
        Case::dml(
            "UPDATE with an argument",
            "UPDATE orders SET status = 'void' WHERE total < ?",
        )
        .args(vec![Val::Int(30)]),
        Case::dml("UPDATE every row", "UPDATE customers SET name = UPPER(name)"),
        Case::dml(
            "UPDATE with OR in WHERE",
            "UPDATE orders SET total = total + 1 WHERE status = 'new' OR customer_id = 2",
        ),
        Case::dml(
            "UPDATE with an IN subquery",
            "UPDATE customers SET name = 'vip' WHERE id IN \
             (SELECT customer_id FROM orders WHERE total > 40)",
        ),
        Case::dml(
            "UPDATE with a correlated subquery in SET",
            "UPDATE customers SET name = COALESCE(\
             (SELECT MAX(status) FROM orders WHERE orders.customer_id = customers.id), 'none')",
        ),
        Case::dml(
            "UPDATE the table with its own tenant column",
            "UPDATE audit_log SET action = 'seen' WHERE user_id IS NULL OR action = 'login'",
        ),
        Case::dml(
            "UPDATE a global table",
            "UPDATE countries SET country_name = UPPER(country_name) WHERE country_code = 'DE'",
        ),
        Case::dml("DELETE", "DELETE FROM order_items WHERE qty > 1"),
        Case::dml(
            "DELETE with OR",
            "DELETE FROM orders WHERE status = 'shipped' OR total > 50",
        ),
        Case::dml(
            "DELETE with NOT IN subquery",
            "DELETE FROM orders WHERE customer_id NOT IN (SELECT id FROM customers)",
        ),
        Case::dml(
            "DELETE with NOT EXISTS over planted links",
            "DELETE FROM memberships WHERE NOT EXISTS \
             (SELECT 1 FROM organizations g WHERE g.id = memberships.org_id)",
        ),
        Case::dml(
            "DELETE from the table with its own tenant column",
            "DELETE FROM audit_log WHERE id > 2",
        ),
        Case::dml(
            "multi-row INSERT VALUES",
            "INSERT INTO customers (id, name, email) VALUES (100, 'new-a', ?), (101, 'new-b', ?)",
        )
        .args(vec![Val::text("a@new.test"), Val::text("b@new.test")]),
        Case::dml(
            "INSERT into the table with its own tenant column",
            "INSERT INTO audit_log (id, action, user_id) VALUES (100, 'created', NULL)",
        ),
        Case::dml(
            "INSERT ... SELECT",
            "INSERT INTO orders (id, customer_id, total, status) \
             SELECT id + 100, id, 0, 'new' FROM customers",
        ),
        Case::dml(
            "INSERT ... SELECT with EXISTS",
            "INSERT INTO audit_log (id, action, user_id) \
             SELECT 100 + u.id, 'joined', u.id FROM users u \
             WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)",
        ),
        Case::dml(
            "INSERT ... SELECT from a LEFT JOIN",
            "INSERT INTO order_items (order_id, line_no, product, qty, price) \
             SELECT o.id, 9, 'gift', 1, 0 FROM orders o \
             LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL",
        ),
        Case::dml("DELETE every row", "DELETE FROM audit_log"),
        Case::dml(
            "INSERT with a scalar subquery in VALUES",
            "INSERT INTO orders (id, customer_id, total, status) \
             VALUES (200, (SELECT MAX(id) FROM customers), 1, 'new')",
        ),
        Case::dml(
            "INSERT ... SELECT with a CTE",
            "INSERT INTO audit_log (id, action, user_id) \
             WITH x AS (SELECT id FROM users WHERE manager_id IS NOT NULL) \
             SELECT id + 400, 'w', id FROM x",
        ),
        Case::dml(
            "INSERT ... SELECT with GROUP BY",
            "INSERT INTO audit_log (id, action, user_id) \
             SELECT 500 + customer_id, 'sum', MAX(id) FROM orders \
             WHERE customer_id IS NOT NULL GROUP BY customer_id",
        ),
        Case::dml(
            "INSERT ... SELECT of a UNION",
            "INSERT INTO audit_log (id, action, user_id) \
             SELECT id + 200, 'u', id FROM users UNION ALL SELECT id + 300, 'c', NULL FROM customers",
        ),
        Case::dml(
            "UPDATE that moves a row to another tenant",
            "UPDATE orders SET tenant_id = 2 WHERE id = 1",
        )
        .may_reject(),
        Case::dml(
            "INSERT naming another tenant",
            "INSERT INTO orders (tenant_id, id, total, status) VALUES (2, 99, 1, 'x')",
        )
        .may_reject(),
        Case::dml(
            "INSERT without a column list",
            "INSERT INTO users VALUES (1, 77, 'positional', NULL, NULL)",
        )
        .may_reject(),
        Case::dml(
            "INSERT into a global table",
            "INSERT INTO countries (country_code, country_name) VALUES ('IT', 'Italy')",
        ),
    ]
    .into_iter()
    .map(|c| c.for_dialect(dialect))
    .collect()
}
