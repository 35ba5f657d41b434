namespace PetSitter.Email.DomainCheck;

/// <summary>
/// A DMARC record's policy and alignment (RFC 7489 section 6.3). No maintained .NET library reads DMARC records, so
/// this reads the record's tag list (the tag=value grammar of RFC 6376 section 3.2 that RFC 7489 reuses): only the
/// tags the diagnosis reports, and a record without <c>v=DMARC1</c> first or without a valid <c>p=</c> is no policy.
/// </summary>
internal sealed record DmarcPolicy(string Policy, bool StrictDkim, bool StrictSpf)
{
    private static readonly string[] Policies = ["none", "quarantine", "reject"];

    /// <summary>Whether <paramref name="text"/> is a DMARC record at all (its first tag is <c>v=DMARC1</c>).</summary>
    public static bool IsDmarcRecord(string text) => Tags(text).FirstOrDefault() is ("v", "DMARC1");

    /// <summary>Reads the policy of a DMARC record; <see langword="null"/> when it has none that receivers would apply.</summary>
    public static DmarcPolicy? Read(string text)
    {
        var tags = Tags(text).ToList();
        if (tags.Count == 0 || tags[0] is not ("v", "DMARC1"))
        {
            return null;
        }

        string? Value(string name) => tags.LastOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
        var policy = Value("p")?.ToLowerInvariant();
        if (policy is null || !Policies.Contains(policy))
        {
            return null;
        }

        return new DmarcPolicy(policy, IsStrict(Value("adkim")), IsStrict(Value("aspf")));
    }

    private static bool IsStrict(string? alignment) => string.Equals(alignment, "s", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<(string Name, string Value)> Tags(string text)
    {
        foreach (var spec in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                yield break;
            }

            yield return (spec[..equals].Trim(), spec[(equals + 1)..].Trim());
        }
    }
}
