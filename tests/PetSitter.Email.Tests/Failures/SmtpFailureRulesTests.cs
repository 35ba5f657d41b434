namespace PetSitter.Email.Tests.Failures;

public class SmtpFailureRulesTests
{
    [Fact]
    public void Rule_names_are_unique()
    {
        SmtpFailureRules.All.Select(r => r.Name).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void The_last_rule_matches_anything()
    {
        var last = SmtpFailureRules.All[^1];

        (last.Codes, last.CodeClass, last.Enhanced, last.Text, last.AlsoText, last.Stages, last.Providers, last.Cause)
            .Should().Be((null as IReadOnlyList<int>, null as int?, null as IReadOnlyList<string>, null as IReadOnlyList<string>, null as IReadOnlyList<string>, null as IReadOnlyList<SmtpStage>, null as IReadOnlyList<KnownSmtpProvider>, null as SmtpFailureCause?));
        SmtpFailureRules.All.Take(SmtpFailureRules.All.Count - 1).Should().NotContain(
            r => r.Codes == null && r.CodeClass == null && r.Enhanced == null && r.Text == null && r.Stages == null && r.Providers == null && r.Cause == null,
            "a catch-all row before the end would hide every row after it");
    }

    [Theory]
    [InlineData(SmtpFailureKind.AccountUnavailable, true)]
    [InlineData(SmtpFailureKind.AuthenticationFailed, true)]
    [InlineData(SmtpFailureKind.CredentialsExpired, true)]
    [InlineData(SmtpFailureKind.Misconfigured, true)]
    [InlineData(SmtpFailureKind.ProviderRequirementsChanged, true)]
    [InlineData(SmtpFailureKind.RejectedAsSpam, false)]
    [InlineData(SmtpFailureKind.RecipientRejected, false)]
    [InlineData(SmtpFailureKind.MessageRejected, false)]
    [InlineData(SmtpFailureKind.Transient, false)]
    public void Every_row_of_a_kind_agrees_with_the_design_on_account_level(SmtpFailureKind kind, bool accountLevel)
    {
        SmtpFailureRules.All.Where(r => r.Kind == kind).Should().OnlyContain(r => r.IsAccountLevel == accountLevel);
    }

    [Fact]
    public void A_send_limit_concerns_the_account_exactly_when_it_has_a_window()
    {
        var limits = SmtpFailureRules.All.Where(r => r.Kind == SmtpFailureKind.SendLimitReached).ToList();

        limits.Should().NotBeEmpty();
        limits.Should().OnlyContain(r => r.Quota != ProviderQuotaSignal.None);
        limits.Should().OnlyContain(r => r.IsAccountLevel == (r.Quota != ProviderQuotaSignal.RecipientsPerMessage));
        limits.Should().OnlyContain(r => (r.ResetsAfter != null) == (r.Quota != ProviderQuotaSignal.RecipientsPerMessage));
        SmtpFailureRules.All.Where(r => r.Kind != SmtpFailureKind.SendLimitReached)
            .Should().OnlyContain(r => r.Quota == ProviderQuotaSignal.None && r.ResetsAfter == null);
    }

    [Fact]
    public void Transient_rows_are_transient()
    {
        SmtpFailureRules.All.Where(r => r.Kind == SmtpFailureKind.Transient).Should().OnlyContain(r => r.IsTransient);
    }

    [Fact]
    public void Every_rule_is_reached_by_an_example()
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in FailureExamples.ProviderReplies.Concat(FailureExamples.OtherReplies))
        {
            reached.Add(SmtpFailureClassifier.Classify(new SmtpTransportException(e.Stage, e.Code, e.Reply), e.Host).RuleName!);
        }

        foreach (var e in FailureExamples.Exceptions)
        {
            reached.Add(SmtpFailureClassifier.Classify(e.Create(), e.Host).RuleName!);
        }

        foreach (var row in ReplyCorpus.All)
        {
            reached.Add(SmtpFailureClassifier.Classify(new SmtpTransportException(row.Stage, row.Code, row.Reply), row.Host).RuleName!);
        }

        SmtpFailureRules.All.Select(r => r.Name).Except(reached)
            .Should().BeEmpty("a row no example reaches is either shadowed by an earlier row or untested");
    }

    [Theory]
    [InlineData("5.7.1", "5.7.1", true)]
    [InlineData("5.7.1", "5.7.139", false)]
    [InlineData("5.7.139", "5.7.1", false)]
    [InlineData("*.7.8", "4.7.8", true)]
    [InlineData("*.7.8", "5.7.8", true)]
    [InlineData("*.7.8", "5.7.80", false)]
    [InlineData("5.7", "5.7.30", true)]
    [InlineData("5.7", "4.7.30", false)]
    [InlineData("5.7.1", "5.7", false)]
    public void Enhanced_patterns_match_whole_segments(string pattern, string code, bool expected) =>
        ClassificationRule.EnhancedMatches(pattern, code).Should().Be(expected);

    [Fact]
    public void Every_rule_is_named_in_the_failure_handling_docs()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "docs", "failure-handling.md")))
        {
            directory = directory.Parent;
        }

        directory.Should().NotBeNull("docs/failure-handling.md documents the table");
        var docs = File.ReadAllText(Path.Combine(directory!.FullName, "docs", "failure-handling.md"));

        SmtpFailureRules.All.Select(r => r.Name).Where(name => !docs.Contains($"`{name}`", StringComparison.Ordinal))
            .Should().BeEmpty("every row of the table is explained to the people who maintain it");
    }

    [Fact]
    public void Advice_is_plain_words_for_the_owner()
    {
        foreach (var rule in SmtpFailureRules.All.Where(r => r.Advice is not null))
        {
            rule.Advice.Should().NotContainAny(["{", "}", "Exception", "MailKit", "SMTP server said"], rule.Name);
            rule.Advice.Should().EndWith(".", rule.Name);
        }
    }
}
