using System.Globalization;

namespace PetSitter.Email;

/// <summary>
/// The Lua scripts of <see cref="RedisSendQuotaStore"/>. One account is one hash: field <c>t</c> the latest
/// time seen, <c>x</c>/<c>xr</c> the provider's hold and its reason, one field per counted bucket,
/// <c>{window}:{bucket}</c>, and per tracked window its summary <c>{window}:-1</c>, the sum of that window's bucket
/// fields. Buckets are those of the in-memory store (<see cref="RedisQuotaBuckets"/>): a bucket counts until it has
/// wholly left its window, so no rolling window is ever exceeded. A check reads <c>t</c>, the hold and the five
/// summaries instead of every bucket (up to 138): only the buckets that left a window since <c>t</c>, and a refusing
/// window's buckets for its wait, are read.
/// </summary>
/// <remarks>
/// <para>
/// Time is the caller's (Unix milliseconds in <c>ARGV[1]</c>), so instances need synchronized clocks; a
/// caller behind the latest time seen is moved up to it, which only ever counts more conservatively.
/// </para>
/// <para>
/// The summaries are named as buckets number -1 so that a release without them, sharing the hash during a rolling
/// upgrade or after a rollback, reads them as a bucket long gone: it ignores them and deletes them on its next check,
/// after which the next check here counts the window from its buckets again (see <c>Load</c>).
/// </para>
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
    /// Reads what a check needs with one <c>HMGET</c>: <c>last</c>, <c>hold</c>, <c>sums</c> (each tracked window's
    /// summary, nil when the window has none) and the counts of the <c>current</c> buckets (so counting a send is
    /// one <c>HSET</c>). Then brings the summaries to <c>now</c>: a window's buckets lie in the <c>ring</c> buckets
    /// ending at <c>last</c>'s, so only the buckets that left the window since <c>last</c> are read, subtracted and
    /// deleted (none on most checks). A window that is limited but has no summary (a new account, a hash written by
    /// a release without summaries, or one whose summaries such a release deleted) is counted from all its buckets
    /// once. Sets <c>changed</c> when the summaries and <c>t</c> must be written back.
    /// </summary>
    private static readonly string Load = string.Create(CultureInfo.InvariantCulture, $$"""
        local key = KEYS[1]
        local now = tonumber(ARGV[1])
        local recipients = tonumber(ARGV[2])
        local widths = { {{RedisQuotaBuckets.SecondBucketMs}}, {{RedisQuotaBuckets.MinuteBucketMs}}, {{RedisQuotaBuckets.HourBucketMs}}, {{RedisQuotaBuckets.DayBucketMs}}, {{RedisQuotaBuckets.DayBucketMs}} }
        local rings = { {{RedisQuotaBuckets.SecondRing}}, {{RedisQuotaBuckets.MinuteRing}}, {{RedisQuotaBuckets.HourRing}}, {{RedisQuotaBuckets.DayRing}}, {{RedisQuotaBuckets.DayRing}} }
        local current = {}
        for w = 1, 5 do current[w] = math.floor(now / widths[w]) end
        local state = redis.call('HMGET', key, 't', 'x', '0:-1', '1:-1', '2:-1', '3:-1', '4:-1',
          '0:' .. current[1], '1:' .. current[2], '2:' .. current[3], '3:' .. current[4], '4:' .. current[5])
        local last, hold = tonumber(state[1]) or 0, tonumber(state[2]) or 0
        local sums, limits = {}, {}
        local recount, changed = false, false
        for w = 1, 5 do
          sums[w] = tonumber(state[2 + w])
          limits[w] = tonumber(ARGV[2 + w])
          if limits[w] > 0 and not sums[w] then recount = true end
        end
        if now < last then
          -- A clock behind: counted at the latest time seen, so the current buckets read above may be the wrong ones.
          now = last
          local names = {}
          for w = 1, 5 do
            current[w] = math.floor(now / widths[w])
            names[w] = (w - 1) .. ':' .. current[w]
          end
          local counts = redis.call('HMGET', key, unpack(names))
          for w = 1, 5 do state[7 + w] = counts[w] end
        end
        if recount then
          local data = redis.call('HGETALL', key)
          local stale = {}
          sums = {}
          for i = 1, #data, 2 do
            local field = data[i]
            local colon = string.find(field, ':', 1, true)
            if colon then
              local w = tonumber(string.sub(field, 1, colon - 1)) + 1
              local b = tonumber(string.sub(field, colon + 1))
              if not sums[w] then sums[w] = 0 end
              if b >= 0 then
                if b < math.floor(now / widths[w]) - rings[w] + 1 then stale[#stale + 1] = field
                else sums[w] = sums[w] + tonumber(data[i + 1]) end
              end
            end
          end
          if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
          for w = 1, 5 do
            if limits[w] > 0 and not sums[w] then sums[w] = 0 end
          end
          changed = #data > 0
        elseif last > 0 then
          for w = 1, 5 do
            if sums[w] then
              local width, ring = widths[w], rings[w]
              local newest = math.floor(last / width)
              local from, to = newest - ring + 1, math.floor(now / width) - ring
              if to >= from then
                if to > newest then to = newest end
                local names = {}
                for b = from, to do names[#names + 1] = (w - 1) .. ':' .. b end
                if to == newest then sums[w] = 0
                else
                  local counts = redis.call('HMGET', key, unpack(names))
                  for i = 1, #counts do sums[w] = sums[w] - (tonumber(counts[i]) or 0) end
                end
                redis.call('HDEL', key, unpack(names))
                changed = true
              end
            end
          end
        end

        """);

    /// <summary>
    /// The decision shared by <see cref="Acquire"/> and <see cref="Peek"/>: sets <c>binding</c> and <c>longest</c>
    /// (the window to wait longest for) and <c>span</c> (the longest tracked window). The buckets of a window are read
    /// only when it refuses, to tell how long until enough of them have left it.
    /// </summary>
    private static readonly string Check = """
        local binding, longest = 0, 0
        if hold > now then binding, longest = 7, hold - now
        elseif hold > 0 then redis.call('HDEL', key, 'x', 'xr') hold = 0 end
        local span = 0
        for w = 1, 5 do
          if sums[w] then
            local width, ring, limit = widths[w], rings[w], limits[w]
            if ring * width > span then span = ring * width end
            if limit > 0 then
              local needed = 1
              if w == 5 then needed = recipients end
              local excess = sums[w] + needed - limit
              if excess > 0 then
                local bucket = math.floor(now / width)
                local oldest = bucket - ring + 1
                local names = {}
                for b = oldest, bucket do names[#names + 1] = (w - 1) .. ':' .. b end
                local counts = redis.call('HMGET', key, unpack(names))
                local wait = (bucket + ring) * width - now
                local freed = 0
                for i = 1, #counts do
                  freed = freed + (tonumber(counts[i]) or 0)
                  if freed >= excess then wait = (oldest + i - 1 + ring) * width - now break end
                end
                if wait > longest then binding, longest = w, wait end
              end
            end
          end
        end

        """;

    /// <summary>Writes <c>t</c> and every tracked window's summary in one <c>HSET</c>.</summary>
    private static readonly string Save = """
        local function save()
          local fields = { 't', now }
          for w = 1, 5 do
            if sums[w] then
              fields[#fields + 1] = (w - 1) .. ':-1'
              fields[#fields + 1] = sums[w]
            end
          end
          redis.call('HSET', key, unpack(fields))
        end

        """;

    /// <summary>
    /// KEYS[1] the account; ARGV: now, recipients, then the five limits (0 = not set) in window order.
    /// Returns <c>{window, waitMs}</c>: window 0 when counted, else the <see cref="LimitWindow"/> to wait longest for.
    /// </summary>
    public static readonly RedisScript Acquire = new(Load + Check + Save + """
        if binding ~= 0 or span == 0 then
          if changed then save() end
          return { binding, longest }
        end
        local fields = { 't', now }
        for w = 1, 5 do
          if sums[w] then
            local needed = 1
            if w == 5 then needed = recipients end
            sums[w] = sums[w] + needed
            fields[#fields + 1] = (w - 1) .. ':' .. current[w]
            fields[#fields + 1] = (tonumber(state[7 + w]) or 0) + needed
            fields[#fields + 1] = (w - 1) .. ':-1'
            fields[#fields + 1] = sums[w]
          end
        end
        redis.call('HSET', key, unpack(fields))
        local ttl = span
        if hold - now > ttl then ttl = hold - now end
        redis.call('PEXPIRE', key, ttl + 1000)
        return { 0, 0 }
        """);

    /// <summary>
    /// KEYS[1] the account; ARGV as for <see cref="Acquire"/>. Returns what <see cref="Acquire"/> would, counting
    /// nothing (it only drops buckets and a hold that have expired and brings the summaries to now, which changes no
    /// answer).
    /// </summary>
    public static readonly RedisScript Peek = new(Load + Check + Save + """
        if changed then save() end
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
