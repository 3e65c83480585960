-- Seconds a replica's data is behind its primary, 0 on a primary. A replica that has
-- replayed all it received while streaming is current; one that has not (replay paused
-- or slow), or that is not streaming, is as old as the last transaction it replayed.
-- NULL: nothing replayed since it started, so its age is unknown.
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
        AND EXISTS (SELECT FROM pg_stat_wal_receiver) THEN 0
    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
END
