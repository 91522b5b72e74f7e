-- Appends one step of a 督办单 (下发 / 回复 / 退回 / 通过; steps are never updated). Not scoped: the
-- caller (wenming/supervision/actions.py) checked role, place and state first, in the same transaction.
-- Params: $order_id, $step, $street_code, $community_code, $target_kind, $target_ref, $target_label,
-- $title, $reason, $deadline, $action, $status, $note, $photos (SHA-256 list), $acted_by, $acted_at.
INSERT INTO supervision_steps VALUES ($order_id, $step, $street_code, $community_code, $target_kind, $target_ref,
    $target_label, $title, $reason, $deadline, $action, $status, $note, $photos, $acted_by, $acted_at);
