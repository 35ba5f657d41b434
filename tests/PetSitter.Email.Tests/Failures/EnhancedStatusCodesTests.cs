namespace PetSitter.Email.Tests.Failures;

public class EnhancedStatusCodesTests
{
    [Theory]
    [InlineData("535-5.7.8 Username and Password not accepted. Learn more at\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp", "5.7.8")]
    [InlineData("535-5.7.8 Username and Password not accepted. Learn more at\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp", "5.7.8")]
    [InlineData("535: 5.7.8 Username and Password not accepted. Learn more at\n5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp", "5.7.8")]
    [InlineData("5.7.8 Username and Password not accepted.", "5.7.8")]
    [InlineData("550-5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp", "5.4.5")]
    [InlineData("535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", "5.7.139")]
    [InlineData("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", "5.2.0")]
    [InlineData("550 5.7.1 [192.168.2.5] Message rejected", "5.7.1")]
    [InlineData("220 mail.paws.example ESMTP Postfix 2.11.3\n554 5.7.1 Service unavailable", "5.7.1")]
    [InlineData("SMTP error: 4.7.0 Try again later", "4.7.0")]
    public void Find_reads_the_enhanced_code_where_servers_and_MailKit_put_it(string reply, string expected) =>
        EnhancedStatusCodes.Find(reply).Should().Be(expected);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("450 Mail send limit exceeded.")]
    [InlineData("553 Relaying disallowed as <hello@paws.example>")]
    [InlineData("Connection to 10.2.3.4 refused")]
    [InlineData("550 5.7.1394 Not a code")]
    public void Find_returns_null_when_there_is_no_enhanced_code(string? reply) =>
        EnhancedStatusCodes.Find(reply).Should().BeNull();

    [Fact]
    public void The_transport_exception_exposes_the_enhanced_code_of_a_multi_line_reply()
    {
        var exception = new SmtpTransportException(SmtpStage.Authenticate, 534,
            "5.7.9 Application-specific password required. Learn more at\n5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor - gsmtp");

        exception.EnhancedStatusCode.Should().Be("5.7.9");
    }
}
