namespace PetSitter.Email.Redis.Tests.Limits;

/// <summary>
/// The quota check of the release before the window summaries (commit 5e738de, its Parse, Check and Acquire with the
/// bucket widths written out): an instance still running it shares the hash with this one during a rolling upgrade,
/// and after a rollback it reads what this one wrote. Kept verbatim so the tests can run it against the new layout.
/// </summary>
internal static class PreviousReleaseQuotaScript
{
    /// <summary>KEYS[1] the account; ARGV: now, recipients, the five limits. Returns <c>{window, waitMs}</c>.</summary>
    public const string Acquire = """
        local key = KEYS[1]
        local now = tonumber(ARGV[1])
        local widths = { 40, 2000, 120000, 3600000, 3600000 }
        local rings = { 26, 31, 31, 25, 25 }
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
        """;
}
