namespace PetSitter.Email;

/// <summary>
/// The Lua scripts of <see cref="RedisDeferredEmailQueue"/>. Every script gets the same eight keys, all in
/// one cluster slot: KEYS[1] <c>due</c> (sorted set, id by due time), [2] <c>leases</c> (sorted set, id by
/// lease end), [3] <c>claims</c> (hash, id to the claim's token), [4] <c>items</c> (hash, id to the stored
/// email), [5] <c>lease-expiries</c> (hash, id to how often its lease ran out), [6] <c>dead</c> (sorted set,
/// id by the time it died), [7] <c>dead-items</c>, [8] <c>dead-info</c> (hashes, id to the stored email and
/// to its reason), [9] <c>held</c> (hash, business id to <c>fingerprint|latest due</c> for mail held because its
/// account failed). Times are the caller's Unix milliseconds. An id starts with its business's key tag and a
/// colon, so one business's entries can be found without reading them.
/// </summary>
internal static class QueueScripts
{
    /// <summary>Notes mail held under a fingerprint. Expects <c>business</c>, <c>fp</c> ('' for none) and <c>due</c> set.</summary>
    private const string NoteHeld = """
        if fp ~= '' then
          local cur = redis.call('HGET', KEYS[9], business)
          if cur then
            local sep = string.find(cur, '|', 1, true)
            if string.sub(cur, 1, sep - 1) == fp then due = math.max(due, tonumber(string.sub(cur, sep + 1))) end
          end
          redis.call('HSET', KEYS[9], business, fp .. '|' .. due)
        end
        """;

    /// <summary>ARGV: id, due, stored email, business id, account fingerprint ('' when not held for the account).</summary>
    public static readonly RedisScript Enqueue = new($"""
        redis.call('HSET', KEYS[4], ARGV[1], ARGV[3])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        local business, fp, due = ARGV[4], ARGV[5], tonumber(ARGV[2])
        {NoteHeld}
        return 1
        """);

    /// <summary>ARGV: id, token, due, stored email, business id, account fingerprint. Puts a claimed email back, if the claim is still this one's.</summary>
    public static readonly RedisScript Release = new($"""
        if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
        local business, fp, due = ARGV[5], ARGV[6], tonumber(ARGV[3])
        {NoteHeld}
        redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[3], ARGV[1])
        redis.call('HDEL', KEYS[5], ARGV[1])
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
        return 1
        """);

    /// <summary>
    /// ARGV: id, token, dead (1/0), now, reason, stored email. Settles a claimed email: removed, or kept as a
    /// dead letter with its reason. Does nothing when the claim is no longer this one's.
    /// </summary>
    public static readonly RedisScript Acknowledge = new("""
        if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[3], ARGV[1])
        redis.call('HDEL', KEYS[5], ARGV[1])
        if ARGV[3] == '1' then
          redis.call('HSET', KEYS[7], ARGV[1], ARGV[6])
          redis.call('HSET', KEYS[8], ARGV[1], cjson.encode({ reason = ARGV[5], deadAtMs = tonumber(ARGV[4]) }))
          redis.call('ZADD', KEYS[6], ARGV[4], ARGV[1])
        end
        redis.call('HDEL', KEYS[4], ARGV[1])
        return 1
        """);

    /// <summary>
    /// ARGV: now, max, lease ms, token, most lease expiries, reason format (one %d). First hands back the
    /// emails whose lease ran out (their claimer died), or moves them to the dead letters once that happened
    /// too often; then claims up to max due emails, earliest first. Returns <c>{id, stored email, ...}</c>.
    /// </summary>
    public static readonly RedisScript Claim = new("""
        local now = tonumber(ARGV[1])
        local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
        for _, id in ipairs(expired) do
          redis.call('ZREM', KEYS[2], id)
          redis.call('HDEL', KEYS[3], id)
          local payload = redis.call('HGET', KEYS[4], id)
          local n = redis.call('HINCRBY', KEYS[5], id, 1)
          if not payload then
            redis.call('HDEL', KEYS[5], id)
          elseif n >= tonumber(ARGV[5]) then
            redis.call('HDEL', KEYS[4], id)
            redis.call('HDEL', KEYS[5], id)
            redis.call('HSET', KEYS[7], id, payload)
            redis.call('HSET', KEYS[8], id, cjson.encode({ reason = string.format(ARGV[6], n), deadAtMs = now }))
            redis.call('ZADD', KEYS[6], now, id)
          else
            redis.call('ZADD', KEYS[1], now, id)
          end
        end
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
        local out = {}
        for _, id in ipairs(ids) do
          redis.call('ZREM', KEYS[1], id)
          local payload = redis.call('HGET', KEYS[4], id)
          if payload then
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), id)
            redis.call('HSET', KEYS[3], id, ARGV[4])
            out[#out + 1] = id
            out[#out + 1] = payload
          end
        end
        return out
        """);

    /// <summary>
    /// ARGV: now. Returns <c>{business, fingerprint, ...}</c> for the businesses with mail held because their account
    /// failed and not yet due; entries whose mail is all due by now are dropped (it is handed out anyway).
    /// </summary>
    public static readonly RedisScript ListHeld = new("""
        local now = tonumber(ARGV[1])
        local all = redis.call('HGETALL', KEYS[9])
        local out = {}
        for i = 1, #all, 2 do
          local sep = string.find(all[i + 1], '|', 1, true)
          if tonumber(string.sub(all[i + 1], sep + 1)) <= now then
            redis.call('HDEL', KEYS[9], all[i])
          else
            out[#out + 1] = all[i]
            out[#out + 1] = string.sub(all[i + 1], 1, sep - 1)
          end
        end
        return out
        """);

    /// <summary>
    /// ARGV: business id, its id prefix, current fingerprint, now. Unless the business's mail is held under the
    /// current fingerprint, makes every waiting email of the business due now (a scan of the due set by id prefix:
    /// settings change rarely) and forgets the held entry. Returns how many emails it moved.
    /// </summary>
    public static readonly RedisScript ReleaseHeld = new("""
        local cur = redis.call('HGET', KEYS[9], ARGV[1])
        if not cur then return 0 end
        local sep = string.find(cur, '|', 1, true)
        if string.sub(cur, 1, sep - 1) == ARGV[3] then return 0 end
        redis.call('HDEL', KEYS[9], ARGV[1])
        local now, moved, cursor = tonumber(ARGV[4]), 0, '0'
        repeat
          local page = redis.call('ZSCAN', KEYS[1], cursor, 'MATCH', ARGV[2] .. '*', 'COUNT', 1000)
          cursor = page[1]
          local entries = page[2]
          for i = 1, #entries, 2 do
            if tonumber(entries[i + 1]) > now then
              redis.call('ZADD', KEYS[1], now, entries[i])
              moved = moved + 1
            end
          end
        until cursor == '0'
        return moved
        """);

    /// <summary>Returns how many emails are waiting or claimed and not yet settled.</summary>
    public static readonly RedisScript Count = new("""
        return redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2])
        """);

    /// <summary>ARGV: max. Returns <c>{id, stored email, info, ...}</c>, oldest dead letter first.</summary>
    public static readonly RedisScript ListDead = new("""
        local ids = redis.call('ZRANGE', KEYS[6], 0, tonumber(ARGV[1]) - 1)
        local out = {}
        for _, id in ipairs(ids) do
          out[#out + 1] = id
          out[#out + 1] = redis.call('HGET', KEYS[7], id) or ''
          out[#out + 1] = redis.call('HGET', KEYS[8], id) or ''
        end
        return out
        """);

    /// <summary>ARGV: id, due, stored email. Moves a dead letter back to the queue; 0 when it is no longer a dead letter.</summary>
    public static readonly RedisScript Requeue = new("""
        if redis.call('ZREM', KEYS[6], ARGV[1]) == 0 then return 0 end
        redis.call('HDEL', KEYS[7], ARGV[1])
        redis.call('HDEL', KEYS[8], ARGV[1])
        redis.call('HSET', KEYS[4], ARGV[1], ARGV[3])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        return 1
        """);

    /// <summary>ARGV: id. Removes a dead letter for good; 0 when there was none.</summary>
    public static readonly RedisScript DeleteDead = new("""
        if redis.call('ZREM', KEYS[6], ARGV[1]) == 0 then return 0 end
        redis.call('HDEL', KEYS[7], ARGV[1])
        redis.call('HDEL', KEYS[8], ARGV[1])
        return 1
        """);
}
