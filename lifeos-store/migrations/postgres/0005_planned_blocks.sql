-- Planned blocks (Plan My Week): a task keeps every block the planner chose in its JSON
-- value (`data.planned_blocks`), the first one mirrored in `scheduled_start`/`scheduled_end`.
-- Tasks scheduled before blocks existed get their one slot as their one block, copied as
-- written, so every stored task reads the same through `Task::blocks` and
-- `Task::planned_blocks`. The projected columns do not change.
UPDATE tasks
SET data = jsonb_set(
    data::jsonb,
    '{planned_blocks}',
    jsonb_build_array(jsonb_build_object(
        'start', data::jsonb -> 'scheduled_start',
        'end', data::jsonb -> 'scheduled_end'
    ))
)::text
WHERE NOT (data::jsonb ? 'planned_blocks')
  AND jsonb_typeof(data::jsonb -> 'scheduled_start') = 'string'
  AND jsonb_typeof(data::jsonb -> 'scheduled_end') = 'string';
