namespace PetSitter.Email.Smtp;

/// <summary>What <see cref="SmtpConnectionPool{TConnection}"/> needs from a connection.</summary>
internal interface IPooledSmtpConnection
{
    /// <summary>Gets whether the client still believes it is connected.</summary>
    bool IsConnected { get; }

    /// <summary>Gets or sets when the connection last went back to the pool.</summary>
    DateTimeOffset LastUsed { get; set; }

    /// <summary>Closes the connection, politely when it can; never throws.</summary>
    ValueTask CloseAsync(SmtpConnectionCloseReason reason);
}
