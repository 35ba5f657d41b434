namespace PetSitter.Email.Tests.Failures;

public class ReplyCorpusTests
{
    public static TheoryData<int, string> Rows()
    {
        var data = new TheoryData<int, string>();
        foreach (var row in ReplyCorpus.All)
        {
            data.Add(row.Line, $"{row.Provider} {row.Stage} {row.Reply}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Every_documented_reply_is_named_as_its_source_means_it(int line, string reply)
    {
        _ = reply;
        var row = ReplyCorpus.All.Single(r => r.Line == line);

        // As the transport raises it: the server's bytes through the stage tracker, MailKit's exception through the translator.
        var thrown = ReplyCorpus.AsTransportThrowsIt(row);
        thrown.Stage.Should().Be(row.Stage, "MailKit's exception for that command pins the stage ({0})", row);
        thrown.Reply.Should().Be(row.Enhanced is null ? row.Text : $"{row.Enhanced} {row.Text}", "a real reply carries no secret, so it is kept as MailKit read it ({0})", row);
        var failure = SmtpFailureClassifier.Classify(thrown, row.Host);
        ShouldMean(failure, row, "through MailKit and the transport");

        // As a fake transport scripts it, with the code and the whole reply.
        var scripted = SmtpFailureClassifier.Classify(new SmtpTransportException(row.Stage, row.Code, row.Reply), row.Host);
        ShouldMean(scripted, row, "as scripted");
        scripted.Reply.Should().Be(row.Reply, "the reply is kept verbatim as evidence ({0})", row);
        if (row.Enhanced is not null)
        {
            scripted.EnhancedStatusCode.Should().Be(row.Enhanced, "the enhanced code is found where RFC 2034 puts it ({0})", row);
        }

        // The meaning is in the reply: without the host the kind and flags are the same.
        ShouldMean(SmtpFailureClassifier.Classify(new SmtpTransportException(row.Stage, row.Code, row.Reply)), row, "without the host");
    }

    [Fact]
    public void The_corpus_is_large_and_covers_the_providers_the_issue_names()
    {
        ReplyCorpus.All.Should().HaveCountGreaterThanOrEqualTo(250);
        ReplyCorpus.All.Select(r => r.Provider).Distinct()
            .Should().Contain(["Gmail", "Microsoft365", "OutlookCom", "Yahoo", "Aol", "ICloud", "Zoho", "GoDaddy", "Ionos", "Postfix"]);
        ReplyCorpus.All.Select(r => $"{r.Provider} {r.Stage} {r.Reply}").Should().OnlyHaveUniqueItems("a duplicate row proves nothing new");
    }

    private static void ShouldMean(SmtpFailure failure, CorpusReply row, string how)
    {
        failure.Kind.Should().Be(row.Kind, "{0} {1} (rule {2})", row, how, failure.RuleName);
        if (row.AccountLevel is { } accountLevel)
        {
            failure.IsAccountLevel.Should().Be(accountLevel, "{0} {1} (rule {2})", row, how, failure.RuleName);
        }

        if (row.Transient is { } transient)
        {
            failure.IsTransient.Should().Be(transient, "{0} {1} (rule {2})", row, how, failure.RuleName);
        }
    }
}
