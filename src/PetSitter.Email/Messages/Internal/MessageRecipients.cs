using MimeKit;

namespace PetSitter.Email.Messages;

/// <summary>Counts a message's recipients on the send path without allocating (no LINQ, no iterators).</summary>
internal static class MessageRecipients
{
    /// <summary>The mailboxes of To, Cc and Bcc, members of groups included, as <see cref="InternetAddressList.Mailboxes"/> yields them.</summary>
    public static int Count(MimeMessage message) => Count(message.To) + Count(message.Cc) + Count(message.Bcc);

    private static int Count(InternetAddressList list)
    {
        var count = 0;
        for (var i = 0; i < list.Count; i++)
        {
            count += list[i] switch
            {
                MailboxAddress => 1,
                GroupAddress group => Count(group.Members),
                _ => 0,
            };
        }

        return count;
    }
}
