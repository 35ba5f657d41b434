namespace PetSitter.Email.Testing.Tests.Replies;

public class SmtpReplyTests
{
    [Fact]
    public void A_one_line_reply_reads_back_as_written()
    {
        var reply = SmtpReply.Parse("550 5.4.5 Daily sending quota exceeded");

        (reply.Code, reply.Text, reply.ToString()).Should().Be((550, "5.4.5 Daily sending quota exceeded", "550 5.4.5 Daily sending quota exceeded"));
        reply.IsSuccess.Should().BeFalse();
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public void A_multi_line_reply_keeps_its_lines(string newLine)
    {
        var reply = SmtpReply.Parse($"535-5.7.8 Username and Password not accepted.{newLine}535 5.7.8 Learn more");

        reply.Lines.Should().Equal("5.7.8 Username and Password not accepted.", "5.7.8 Learn more");
        reply.Text.Should().Be("5.7.8 Username and Password not accepted.\n5.7.8 Learn more");
        reply.ToString().Should().Be("535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more");
    }

    [Theory]
    [InlineData("55 short")]
    [InlineData("abc not a code")]
    [InlineData("550-only a continuation line")]
    [InlineData("550 5.1.1 first\n550 5.1.1 second")]
    [InlineData("535-5.7.8 first\n550 5.7.8 another code")]
    [InlineData("150 not a reply a server sends here")]
    public void Text_that_is_not_a_reply_is_refused(string text)
    {
        var parse = () => SmtpReply.Parse(text);

        parse.Should().Throw<FormatException>();
    }

    [Fact]
    public void A_line_cannot_hide_a_line_break()
    {
        var create = () => new SmtpReply(550, "5.1.1 one\r\n550 5.1.1 two");

        create.Should().Throw<ArgumentException>().WithMessage("*line break*");
    }

    [Theory]
    [InlineData(199)]
    [InlineData(600)]
    public void Codes_outside_200_to_599_are_refused(int code)
    {
        var create = () => new SmtpReply(code, "text");

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_reply_needs_a_line()
    {
        var create = () => new SmtpReply(250);

        create.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Disconnect_is_not_a_reply_on_the_wire()
    {
        (SmtpReply.Disconnect.IsDisconnect, SmtpReply.Disconnect.IsSuccess, SmtpReply.Disconnect.ToString())
            .Should().Be((true, false, "(disconnect)"));
        new SmtpReply(250, "2.0.0 OK").IsDisconnect.Should().BeFalse();
    }
}
