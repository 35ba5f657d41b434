using System.Globalization;

namespace PetSitter.Email;

/// <summary>
/// The Lua scripts of <see cref="RedisSendQuotaStore"/>. One account is one hash: field <c>t</c> the latest
/// time seen, <c>x</c>/<c>xr</c> the provider's hold and its reason, and one field per counted bucket,
/// <c>{window}:{bucket}</c>. Buckets are those of the in-memory store (<see cref="RedisQuotaBuckets"/>): a bucket
/// counts until it has wholly left its window, so no rolling window is ever exceeded.
/// </summary>
/// <remarks>
/// Time is the caller's (Unix milliseconds in <c>ARGV[1]</c>), so instances need synchronized clocks; a
/// caller behind the latest time seen is moved up to it, which only ever counts more conservatively.
/// </remarks>
internal static class QuotaScripts
{
    /// <summary>Reads the hash into <c>buckets</c>, <c>tracked</c>, <c>last</c> and <c>hold</c>.</summary>
    private static readonly string Parse = string.Create(CultureInfo.InvariantCulture, $$"""
        local key = KEYS[1]
        local now = tonumber(ARGV[1])
        local widths = { {{RedisQuotaBuckets.SecondBucketMs}}, {{RedisQuotaBuckets.MinuteBucketMs}}, {{RedisQuotaBuckets.HourBucketMs}}, {{RedisQuotaBuckets.DayBucketMs}}, {{RedisQuotaBuckets.DayBucketMs}} }
        local rings = { {{RedisQuotaBuckets.SecondRing}}, {{RedisQuotaBuckets.MinuteRing}}, {{RedisQuotaBuckets.HourRing}}, {{RedisQuotaBuckets.DayRing}}, {{RedisQuotaBuckets.DayRing}} }
        local data = redis.call('HGETALL', key)
        local last, hold, reason = 0, 0, false
        local buckets = { {}, {}, {}, {}, {} }
        local tracked = { false, false, false, false, false }
        for i = 1, #data, 2 do
          local field = data[i]
          if field == 't' then last = tonumber(data[i + 1])
          elseif field == 'x' then hold = tonumber(data[i + 1])
          elseif field == 'xr' then reason = data[i + 1]
          else
            local w = tonumber(string.sub(field, 1, 1)) + 1
            buckets[w][tonumber(string.sub(field, 3))] = tonumber(data[i + 1])
            tracked[w] = true
          end
        end
        if now < last then now = last end

        """);

    /// <summary>
    /// The decision shared by <see cref="Acquire"/> and <see cref="Peek"/>: sets <c>binding</c> and <c>longest</c>
    /// (the window to wait longest for), <c>current</c> (each tracked window's bucket now) and <c>span</c>.
    /// </summary>
    private static readonly string Check = """
        local recipients = tonumber(ARGV[2])
        local binding, longest = 0, 0
        if hold > now then binding, longest = 7, hold - now
        elseif hold > 0 then redis.call('HDEL', key, 'x', 'xr') hold = 0 end
        local current = {}
        local span = 0
        for w = 1, 5 do
          local limit = tonumber(ARGV[2 + w])
          if limit > 0 then tracked[w] = true end
          if tracked[w] then
            local width, ring = widths[w], rings[w]
            local bucket = math.floor(now / width)
            local oldest = bucket - ring + 1
            local sum = 0
            for b, count in pairs(buckets[w]) do
              if b < oldest then redis.call('HDEL', key, (w - 1) .. ':' .. b) buckets[w][b] = nil
              else sum = sum + count end
            end
            current[w] = bucket
            if ring * width > span then span = ring * width end
            if limit > 0 then
              local needed = 1
              if w == 5 then needed = recipients end
              local excess = sum + needed - limit
              if excess > 0 then
                local wait = (bucket + ring) * width - now
                local freed = 0
                for b = oldest, bucket do
                  freed = freed + (buckets[w][b] or 0)
                  if freed >= excess then wait = (b + ring) * width - now break end
                end
                if wait > longest then binding, longest = w, wait end
              end
            end
          end
        end

        """;

    /// <summary>
    /// KEYS[1] the account; ARGV: now, recipients, then the five limits (0 = not set) in window order.
    /// Returns <c>{window, waitMs}</c>: window 0 when counted, else the <see cref="LimitWindow"/> to wait longest for.
    /// </summary>
    public static readonly RedisScript Acquire = new(Parse + Check + """
        if binding ~= 0 or span == 0 then return { binding, longest } end
        for w = 1, 5 do
          if current[w] then
            local needed = 1
            if w == 5 then needed = recipients end
            redis.call('HINCRBY', key, (w - 1) .. ':' .. current[w], needed)
          end
        end
        redis.call('HSET', key, 't', now)
        local ttl = span
        if hold - now > ttl then ttl = hold - now end
        redis.call('PEXPIRE', key, ttl + 1000)
        return { 0, 0 }
        """);

    /// <summary>
    /// KEYS[1] the account; ARGV as for <see cref="Acquire"/>. Returns what <see cref="Acquire"/> would, counting
    /// nothing (it only drops buckets and a hold that have expired, which changes no answer).
    /// </summary>
    public static readonly RedisScript Peek = new(Parse + Check + """
        return { binding, longest }
        """);

    /// <summary>KEYS[1] the account; ARGV: now, until, reason. A later hold wins; an earlier one never shortens a running hold.</summary>
    public static readonly RedisScript MarkExhausted = new("""
        local now, untilMs = tonumber(ARGV[1]), tonumber(ARGV[2])
        if untilMs <= now then return 0 end
        local current = tonumber(redis.call('HGET', KEYS[1], 'x') or '0')
        if current < untilMs or current <= now then
          redis.call('HSET', KEYS[1], 'x', untilMs, 'xr', ARGV[3])
        end
        if redis.call('PTTL', KEYS[1]) < untilMs - now + 1000 then
          redis.call('PEXPIRE', KEYS[1], untilMs - now + 1000)
        end
        return 1
        """);

    /// <summary>
    /// KEYS[1] the account; ARGV: now. Returns nothing when the account is unknown, else
    /// <c>{now, holdUntil, reason, count1..count5}</c> with -1 for windows not tracked.
    /// </summary>
    public static readonly RedisScript Snapshot = new(Parse + """
        if #data == 0 then return false end
        local result = { now, hold, reason }
        for w = 1, 5 do
          if tracked[w] then
            local oldest = math.floor(now / widths[w]) - rings[w] + 1
            local sum = 0
            for b, count in pairs(buckets[w]) do
              if b >= oldest then sum = sum + count end
            end
            result[3 + w] = sum
          else
            result[3 + w] = -1
          end
        end
        return result
        """);

    /// <summary>
    /// KEYS[1] the account's history; ARGV: now, how long an untouched history is kept (ms). Returns its start (Unix
    /// ms), starting it at now when there is none; every call keeps it for that long again, so a mailbox left alone
    /// that long warms up anew.
    /// </summary>
    public static readonly RedisScript HistoryStart = new("""
        local start = redis.call('GET', KEYS[1])
        if not start then
          start = ARGV[1]
          redis.call('SET', KEYS[1], start)
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return tonumber(start)
        """);
}
