-- Refinement: one hour of one stream of the raw lake, de-duplicated by eventId.
-- The same statement runs on Athena (Trino) and on DuckDB; only the relation behind {{source}}
-- differs (a Glue table with partition projection, or read_json over the lake folder) and what
-- wraps it (INSERT INTO the refined table, or COPY ... TO the refined folder).
-- Identifiers are lower-case: Athena lower-cases them, DuckDB matches them case-insensitively, and
-- the output names them explicitly so refined files carry lower-case columns on both engines.
-- Of several copies of one event, the earliest-arrived is kept; copies are identical by contract
-- (an eventId is made once at the source), so which one wins changes nothing downstream.
WITH ranked AS (
  SELECT
    {{columns}},
    row_number() OVER (PARTITION BY eventid ORDER BY eventtime, schemaversion) AS dedup_rank
  FROM {{source}}
  WHERE dt = '{{dt}}' AND hr = '{{hr}}' AND eventid IS NOT NULL
)
SELECT {{output_columns}}, '{{dt}}' AS dt, '{{hr}}' AS hr
FROM ranked
WHERE dedup_rank = 1
