namespace PetSitter.Email;

/// <summary>
/// The Lua scripts of <see cref="RedisAccountBreaker"/>: the state machine of the core's in-process breaker (<see cref="ILocalAccountBreaker"/>)
/// run atomically in Redis, so every instance sees one breaker per business. KEYS[1] is the state hash
/// (<c>fp</c> credential fingerprint, <c>c</c> circuit 1 open / 2 half-open, <c>s</c> health 2 throttled /
/// 3 failing, <c>k</c> kind, <c>f</c> failure JSON, <c>ra</c> retry at, <c>n</c> failed probes, <c>since</c>);
/// no hash means closed. KEYS[2] is the probe claim, taken with <c>SET NX PX</c> so exactly one instance probes;
/// it holds the claim's deadline (caller's clock), after which another instance may take it over, and its
/// expiry only clears it away. KEYS[3] holds the settings fingerprint that signed in somewhere in the fleet, and
/// KEYS[4] the first-sign-in claim (<c>fingerprint|instance</c>, expiring after the first-sign-in wait): while a
/// fingerprint has not signed in anywhere, only the claim's instance may try it, so a wrong password costs the
/// fleet one sign-in, not one per instance.
/// </summary>
/// <remarks>
/// A state reply is <c>{c, s, f, ra, since, n}</c>, or <c>{0}</c> when closed. Times are the caller's Unix
/// milliseconds, except the first-sign-in claim's expiry, which is the server's (no instance's clock decides
/// when another may take over).
/// </remarks>
internal static class BreakerScripts
{
    /// <summary>
    /// ARGV: now, fingerprint, probe timeout ms, instance id, first-sign-in wait ms, force (1 takes the first-sign-in
    /// claim whoever holds it), signed-in retention ms. Returns <c>{code, state..., gateRetryAt}</c>: 0 allowed, 1 probe,
    /// 2 blocked, 3 allowed as the fleet's first sign-in with this fingerprint, or <c>{4, claim ms left}</c>: another
    /// instance is signing in first, wait for its verdict.
    /// </summary>
    public static readonly RedisScript Check = new("""
        local now = tonumber(ARGV[1])
        local function first()
          local signed = redis.call('GET', KEYS[3])
          if signed == ARGV[2] then
            if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[7]) / 2 then redis.call('PEXPIRE', KEYS[3], ARGV[7]) end
            return { 0, 0 }
          end
          local me = ARGV[2] .. '|' .. ARGV[4]
          local held = redis.call('GET', KEYS[4])
          if held == me then return { 3, 0 } end
          if held and ARGV[6] == '0' and string.sub(held, 1, #ARGV[2] + 1) == ARGV[2] .. '|' then
            return { 4, redis.call('PTTL', KEYS[4]) }
          end
          redis.call('SET', KEYS[4], me, 'PX', ARGV[5])
          return { 3, 0 }
        end
        local st = redis.call('HMGET', KEYS[1], 'fp', 'c', 's', 'f', 'ra', 'since', 'n')
        if not st[1] then return first() end
        if st[1] ~= ARGV[2] then
          redis.call('DEL', KEYS[1], KEYS[2])
          return first()
        end
        local c, s, ra = tonumber(st[2]), tonumber(st[3]), tonumber(st[5])
        if c == 1 and now < ra then return { 2, c, s, st[4], ra, st[6], st[7], ra } end
        if c == 1 and s == 2 then
          -- A throttle is reported by an account that sends: these settings have signed in.
          redis.call('DEL', KEYS[1], KEYS[2])
          redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[7])
          return { 0, 0 }
        end
        local deadline = now + tonumber(ARGV[3])
        local claimed = redis.call('SET', KEYS[2], deadline, 'NX', 'PX', ARGV[3])
        if not claimed then
          local held = tonumber(redis.call('GET', KEYS[2]) or '0')
          if held > now then return { 2, 2, s, st[4], ra, st[6], st[7], held } end
          redis.call('SET', KEYS[2], deadline, 'PX', ARGV[3])
        end
        redis.call('HSET', KEYS[1], 'c', 2)
        return { 1, 2, s, st[4], ra, st[6], st[7], now }
        """);

    /// <summary>
    /// ARGV: fingerprint, instance id, signed in (1/0), signed-in retention ms, channel, business tag. Ends this
    /// instance's first-sign-in claim after a failure that says nothing about the account: the settings are marked
    /// signed in when the server answered past sign-in, else the claim is given up so another send may try.
    /// Unlike the others it gets only KEYS[3] and KEYS[4], as KEYS[1] and KEYS[2].
    /// </summary>
    public static readonly RedisScript SettleFirstSignIn = new("""
        if ARGV[3] == '1' then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4]) end
        if redis.call('GET', KEYS[2]) == ARGV[1] .. '|' .. ARGV[2] then redis.call('DEL', KEYS[2]) end
        redis.call('PUBLISH', ARGV[5], ARGV[6])
        return 1
        """);

    /// <summary>
    /// ARGV: now, fingerprint, account-level (1/0), transient (1/0), kind, schedule class (L limit, C credentials,
    /// O other), failure JSON, resets at (0 unknown), credential interval, initial interval, max interval,
    /// default throttle, retention (all ms), channel, business tag. Returns the state after the failure. Opening the
    /// breaker ends a first-sign-in claim and announces it, so the instances waiting for it follow at once.
    /// </summary>
    public static readonly RedisScript RecordFailure = new("""
        local now, fp, kind, class = tonumber(ARGV[1]), ARGV[2], ARGV[5], ARGV[6]
        local st = redis.call('HMGET', KEYS[1], 'fp', 'c', 's', 'f', 'ra', 'since', 'n', 'k')
        local function state()
          local x = redis.call('HMGET', KEYS[1], 'c', 's', 'f', 'ra', 'since', 'n')
          if not x[1] then return { 0 } end
          return x
        end
        if ARGV[3] == '0' then
          if not st[1] or st[1] ~= fp or tonumber(st[2]) ~= 2 then return state() end
          if ARGV[4] == '1' then
            redis.call('HSET', KEYS[1], 'c', 1, 'ra', now)
            redis.call('DEL', KEYS[2])
          else
            redis.call('DEL', KEYS[1], KEYS[2])
          end
          return state()
        end
        if st[1] and st[1] ~= fp then return state() end
        local function schedule(probes)
          if class == 'L' then
            local reset = tonumber(ARGV[8])
            if reset > now then return 2, reset end
            return 2, now + tonumber(ARGV[12])
          elseif class == 'C' then
            return 3, now + tonumber(ARGV[9])
          end
          local interval, max = tonumber(ARGV[10]), tonumber(ARGV[11])
          for i = 1, probes do
            if interval >= max then break end
            interval = interval * 4
          end
          if interval > max then interval = max end
          return 3, now + interval
        end
        local retention = tonumber(ARGV[13])
        local function open(probes)
          local s, ra = schedule(probes)
          local since = now
          if st[1] and tonumber(st[3]) == s and st[8] == kind then since = tonumber(st[6]) end
          redis.call('HSET', KEYS[1], 'fp', fp, 'c', 1, 's', s, 'k', kind, 'f', ARGV[7], 'ra', ra, 'n', probes, 'since', since)
          redis.call('DEL', KEYS[2])
          redis.call('PEXPIRE', KEYS[1], ra - now + retention)
          if redis.call('DEL', KEYS[4]) == 1 then redis.call('PUBLISH', ARGV[14], ARGV[15]) end
        end
        if not st[1] then
          open(0)
        elseif tonumber(st[2]) == 2 then
          open(tonumber(st[7]) + 1)
        elseif st[8] ~= kind then
          open(tonumber(st[7]))
        elseif class == 'L' then
          local _, ra = schedule(0)
          if ra > tonumber(st[5]) then
            redis.call('HSET', KEYS[1], 'ra', ra, 'f', ARGV[7])
            redis.call('PEXPIRE', KEYS[1], ra - now + retention)
          end
        end
        return state()
        """);

    /// <summary>
    /// ARGV: fingerprint, signed-in retention ms, channel, business tag. Returns 1 when the breaker is closed
    /// afterwards, 0 when it stays open (a throttle, or other credentials). A success with the breaker's
    /// fingerprint marks it signed in and announces it to instances waiting for a first sign-in.
    /// </summary>
    public static readonly RedisScript RecordSuccess = new("""
        local st = redis.call('HMGET', KEYS[1], 'fp', 'c', 's')
        if st[1] and st[1] ~= ARGV[1] then return 0 end
        local closed = 1
        if st[1] and tonumber(st[2]) == 1 and tonumber(st[3]) == 2 then
          closed = 0
        elseif st[1] then
          redis.call('DEL', KEYS[1], KEYS[2])
        end
        redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
        local held = redis.call('GET', KEYS[4])
        if held and string.sub(held, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then redis.call('DEL', KEYS[4]) end
        redis.call('PUBLISH', ARGV[3], ARGV[4])
        return closed
        """);
}
