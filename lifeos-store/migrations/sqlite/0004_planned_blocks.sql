-- Planned blocks (Plan My Week): a task keeps every block the planner chose in its JSON
-- value (`data.planned_blocks`), the first one mirrored in `scheduled_start`/`scheduled_end`.
-- Tasks scheduled before blocks existed get their one slot as their one block, copied as
-- written, so every stored task reads the same through `Task::blocks` and
-- `Task::planned_blocks`. The projected columns do not change.
UPDATE tasks
SET data = json_set(
    data,
    '$.planned_blocks',
    json_array(json_object(
        'start', json_extract(data, '$.scheduled_start'),
        'end', json_extract(data, '$.scheduled_end')
    ))
)
WHERE json_type(data, '$.planned_blocks') IS NULL
  AND json_type(data, '$.scheduled_start') = 'text'
  AND json_type(data, '$.scheduled_end') = 'text';
